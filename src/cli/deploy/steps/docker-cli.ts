import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProcessResult } from "./process";
import { StepFailure, type StepArgs, type StepContext } from "./context";

/** The docker-compatible CLI: `WAYMARK_DOCKER` (a program name or path; Podman works), else `docker`. */
export const dockerCommandOf = (env: Readonly<Record<string, string | undefined>>) => env.WAYMARK_DOCKER?.trim() || "docker";

/** Runs the docker CLI; a failure to start or a non-zero exit is a StepFailure with its stderr. */
export async function docker(context: StepContext, args: string[], input?: string): Promise<ProcessResult> {
  const result = await context.run(context.docker, args, {
    cwd: context.cwd,
    env: context.env,
    echo: context.log,
    ...(input !== undefined ? { input } : {}),
  });
  if (result.code === null && result.failure) {
    const hint = result.failure === "ENOENT" ? "not found; install Docker or Podman, or set WAYMARK_DOCKER to a docker-compatible CLI" : result.failure;
    throw new StepFailure(`cannot run ${context.docker}: ${hint}`);
  }
  if (result.code !== 0) {
    throw new StepFailure(
      `${context.docker} ${args[0] ?? ""} failed (exit ${result.code ?? result.failure}): ${result.stderr.trim().split("\n").slice(-5).join("\n")}`,
    );
  }
  return result;
}

/**
 * prefect-docker's `build_backend`: docker-py talks to the daemon, buildx runs BuildKit; the docker
 * CLI builds with BuildKit and pushes the same either way, so both run it. Any other is refused, as
 * prefect-docker refuses it.
 */
export function checkBuildBackend(args: StepArgs): void {
  const backend = args.string("build_backend", "docker-py");
  if (backend !== "docker-py" && backend !== "buildx") throw new StepFailure(`build_backend must be "docker-py" or "buildx", not "${backend}"`);
}

/** Podman writes the pushed digest to a file; Docker prints it. Asked once per run. */
export function isPodman(context: StepContext): Promise<boolean> {
  context.podman ??= context.run(context.docker, ["--version"], { cwd: context.cwd, env: context.env }).then((r) => /podman/i.test(r.stdout + r.stderr));
  return context.podman;
}

/** A file the CLI writes (`--iidfile`, `--digestfile`), read back and removed. */
export async function withOutputFile(use: (file: string) => Promise<unknown>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "waymark-docker-"));
  const file = join(dir, "out");
  try {
    await use(file);
    try {
      return readFileSync(file, "utf8").trim();
    } catch {
      return "";
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prefect's default tag: `slugify(now("utc").isoformat())`, e.g. `2026-11-30t13-22-42-123000-00-00`. */
export function defaultTag(now: Date): string {
  const iso = `${now.toISOString().slice(0, 19)}.${String(now.getUTCMilliseconds() * 1000).padStart(6, "0")}+00:00`;
  return iso.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

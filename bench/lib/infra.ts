import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { createConnection } from "mysql2/promise";
import { freePort } from "../../test/support/processes";

export { startMariaDb, startRedis } from "../../test/support/processes";

/** The repository root, whether this runs from bench/ sources or from dist/bench/. */
export const ROOT = resolve(__dirname, __dirname.includes("/dist/") ? "../../.." : "../..");

/**
 * Authentication is on by default, as in production: the servers start with the bench's own key
 * (WAYMARK_BOOTSTRAP_KEY, made at bench start) and every request sends it. `--auth=off` runs them
 * with WAYMARK_AUTH=off instead, as the figures before authentication was cached were taken.
 */
export const AUTH_ON = !process.argv.includes("--auth=off");
const BENCH_KEY = `wm_bench-${randomBytes(24).toString("base64url")}`;

/** What the figures were measured on. */
export function machine(): string {
  let mariadb = "unknown";
  try {
    mariadb = execFileSync("mariadbd", ["--version"], { encoding: "utf8" })
      .trim()
      .replace(/^.*Ver\s+/, "");
  } catch {
    /* not installed */
  }
  return `nproc ${cpus().length} (${cpus()[0]?.model ?? "?"}), node ${process.version}, MariaDB ${mariadb}`;
}

/** A fresh database on the bench's MariaDB; the server migrates it on start. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const connection = await createConnection({ uri: adminUrl });
  await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await connection.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Resident set size of the server process, in bytes (from /proc). */
  rss(): number;
  stop(): Promise<void>;
}

/**
 * Runs the built server (dist/src/main.js) as its own process, as `npm start` does. `nodeArgs`
 * carries profiler flags such as --cpu-prof.
 */
export async function startServer(env: Record<string, string>, nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, resolve(ROOT, "dist/src/main.js")], {
    cwd: ROOT,
    // As `npm start` runs it: NODE_ENV=production turns off graphql-js development checks.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      WAYMARK_BOOTSTRAP_KEY: BENCH_KEY,
      ...(AUTH_ON ? {} : { WAYMARK_AUTH: "off" }),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server did not start in time:\n${output}`);
    try {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...authHeader(env) }, body: '{"query":"{ __typename }"}' });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    child,
    rss: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) * 1024,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The Authorization header every request sends: the bench's key, or none with `--auth=off` (or a server started with WAYMARK_AUTH=off). */
export function authHeader(env: Record<string, string | undefined> = {}): Record<string, string> {
  const on = env.WAYMARK_AUTH ? env.WAYMARK_AUTH !== "off" : AUTH_ON;
  return on ? { authorization: `Bearer ${BENCH_KEY}` } : {};
}

/** The load's conditions, printed with the figures: authentication, and the machine's load average before the run. */
export function conditions(): string {
  return `authentication ${AUTH_ON ? "on (a key on every request)" : "off (--auth=off)"}; load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")} before the run`;
}

/**
 * The load generator's HTTP client for write benchmarks. By default node:http on kept-alive
 * connections, which costs the bench process about a third of the CPU per request that `fetch`
 * does; on these shared cores that CPU is taken from the server under test. `--client=fetch` uses
 * `fetch`, as the figures before 2026-11-30 19:10 UTC were taken.
 */
export const HTTP_CLIENT = process.argv.includes("--client=fetch") ? "fetch" : "node:http";
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs a GraphQL request with the bench's key; fails on an HTTP error or any GraphQL error. */
export async function post(url: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ query, variables });
  const text =
    HTTP_CLIENT === "fetch"
      ? await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...authHeader() }, body }).then(async (r) =>
          r.ok ? r.text() : `HTTP ${r.status}: ${await r.text()}`,
        )
      : await new Promise<string>((resolve, reject) => {
          const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...authHeader() };
          const req = request(url, { method: "POST", agent, headers }, (res) => {
            let answer = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (answer += chunk));
            res.on("end", () => resolve(res.statusCode === 200 ? answer : `HTTP ${res.statusCode}: ${answer}`));
            res.on("error", reject);
          });
          req.on("error", reject);
          req.end(body);
        });
  if (text.startsWith("HTTP ") || text.includes('"errors"')) throw new Error(text.slice(0, 300));
}

export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/** Runs a benchmark's `main` as the process's work: exit 0 when it is done, 1 (with the error) when it fails. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

import type { Env } from "../../env";
import type { ProcessRunner } from "./process";

/** What a step may touch: all of it passed in, so that tests give a fake runner and a fixed clock. */
export interface StepContext {
  env: Env;
  /** Where `waymark deploy` runs: relative directories and the docker build context start here. */
  cwd: string;
  run: ProcessRunner;
  /** Progress and warnings, to stderr (stdout is for the result). */
  log: (text: string) => void;
  now: () => Date;
  /** The docker-compatible CLI: `WAYMARK_DOCKER`, else `docker`. */
  docker: string;
  /** Every image pushed in this run, `name:tag` → `sha256:…`, for `--pin-images`. */
  pushed: Map<string, string>;
  /** Whether `docker` is Podman (asked once). */
  podman?: Promise<boolean>;
}

export type StepInputs = Record<string, unknown>;
export type StepFunction = (inputs: StepInputs, context: StepContext) => Promise<Record<string, unknown>>;

/** A step that cannot do its work; the message says why, and the runner adds which step it was. */
export class StepFailure extends Error {}

/** Reads the inputs of one step, failing on a key the step does not take, as a Python call would. */
export class StepArgs {
  constructor(
    private readonly inputs: StepInputs,
    allowed: readonly string[],
  ) {
    // The planner checks the same lists (StepType.inputs) before any step runs; this guards the step itself.
    const unknown = Object.keys(inputs).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) throw new StepFailure(`unexpected input ${unknown.join(", ")} (it takes ${allowed.join(", ")})`);
  }

  has = (key: string) => this.inputs[key] !== undefined && this.inputs[key] !== null;

  string(key: string, fallback?: string): string {
    const value = this.inputs[key];
    if (value === undefined || value === null) {
      if (fallback !== undefined) return fallback;
      throw new StepFailure(`${key} is required`);
    }
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    throw new StepFailure(`${key} must be a string`);
  }

  optionalString = (key: string): string | undefined => (this.has(key) ? this.string(key) : undefined);

  boolean(key: string, fallback: boolean): boolean {
    const value = this.inputs[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") throw new StepFailure(`${key} must be true or false`);
    return value;
  }

  strings(key: string): string[] {
    const value = this.inputs[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => ["string", "number"].includes(typeof v))) {
      throw new StepFailure(`${key} must be a list of strings`);
    }
    return value.map(String);
  }

  /** A mapping of names to scalars, as environment variables and build arguments are. */
  stringMap(key: string): Record<string, string> {
    const value = this.inputs[key];
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) throw new StepFailure(`${key} must be a mapping`);
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (!["string", "number", "boolean"].includes(typeof v)) throw new StepFailure(`${key}.${k} must be a string`);
        return [k, String(v)];
      }),
    );
  }

  raw = (key: string): unknown => this.inputs[key];
}

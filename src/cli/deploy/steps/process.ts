import { spawn } from "node:child_process";
import type { Env } from "../../env";

export interface ProcessResult {
  /** Exit code; null when the process was killed by a signal or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why the process could not start (e.g. `ENOENT`), or the signal that ended it. */
  failure?: string;
}

export interface ProcessOptions {
  cwd: string;
  env: Env;
  /** Written to the process's stdin (a registry password, never a command-line argument). */
  input?: string;
  /** Receives output as it arrives, so a long build shows progress. */
  echo?: (text: string) => void;
}

/** Runs one program without a shell; injected so that step logic is tested without real processes. */
export type ProcessRunner = (command: string, args: readonly string[], options: ProcessOptions) => Promise<ProcessResult>;

/** The real runner: child_process.spawn, output collected and echoed. */
export const spawnProcess: ProcessRunner = (command, args, options) =>
  new Promise((done) => {
    const env = Object.fromEntries(Object.entries(options.env).filter((e): e is [string, string] => e[1] !== undefined));
    const child = spawn(command, [...args], { cwd: options.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      into.push(chunk);
      options.echo?.(chunk.toString("utf8"));
    };
    child.stdout.on("data", collect(out));
    child.stderr.on("data", collect(err));
    let failure: string | undefined;
    child.on("error", (error: NodeJS.ErrnoException) => {
      failure = error.code ?? error.message;
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
    child.on("close", (code, signal) => {
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");
      // A program that never started has no exit code (Node reports the errno as a negative one).
      done({ code: failure ? null : code, stdout: text(out), stderr: text(err), ...(failure || signal ? { failure: failure ?? `killed by ${signal}` } : {}) });
    });
  });

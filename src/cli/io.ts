import type { Fetch } from "./api-client";
import type { ProcessRunner } from "./deploy/steps/process";
import type { Env } from "./env";
import { createGitRunner, type GitRunner } from "./source-info";

/**
 * Everything a command touches outside itself, passed in (house style 7) so the whole CLI runs
 * in-process in tests with a literal env, a fake fetch and captured output.
 */
export interface CliIo {
  env: Env;
  cwd: string;
  fetch: Fetch;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Backoff waits; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Git in `cwd`; defaults to the real git CLI. */
  git?: GitRunner;
  /** Runs the programs of build and push steps; defaults to child_process. */
  processes?: ProcessRunner;
}

/** The git runner commands use: the injected one, else the real git in `cwd` with the CLI's environment. */
export const gitOf = (io: CliIo): GitRunner => io.git ?? createGitRunner(io.cwd, io.env);

import { execFile } from "node:child_process";
import type { GitRunner } from "./types";

/**
 * The real git, run in `cwd`. Prompts are disabled so a missing credential can never hang a CI job;
 * any failure (no git, not a repository, no commits) resolves to null instead of throwing.
 */
export function createGitRunner(cwd: string, env: NodeJS.ProcessEnv = process.env): GitRunner {
  const options = { cwd, env: { ...env, GIT_TERMINAL_PROMPT: "0" }, timeout: 10_000, windowsHide: true };
  return (args) =>
    new Promise((resolve) => {
      execFile("git", args, options, (error, stdout) => resolve(error ? null : stdout.trimEnd()));
    });
}

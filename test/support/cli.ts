import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { TEST_ADMIN_KEY } from "./server";

/** The built CLI; the e2e global setup builds dist/ once per run. */
export const CLI = join(resolve(__dirname, "../.."), "dist/src/cli/main.js");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a child process in `cwd` against `apiUrl`, with only PATH, HOME, the API URL
 * and key, and `env`: nothing of the test job's own CI environment leaks in.
 */
export function runCli(apiUrl: string, cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? cwd, WAYMARK_API_URL: apiUrl, WAYMARK_API_KEY: TEST_ADMIN_KEY };
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

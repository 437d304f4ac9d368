import { randomUUID } from "node:crypto";
import type { SourceInfo } from "./types";

const ENV_NAMES: ReadonlyArray<readonly [string, keyof SourceInfo]> = [
  ["WAYMARK_SOURCE_TYPE", "type"],
  ["WAYMARK_COMMIT_SHA", "commitSha"],
  ["WAYMARK_BRANCH", "branch"],
  ["WAYMARK_REPOSITORY", "repository"],
  ["WAYMARK_URL", "url"],
  ["WAYMARK_MESSAGE", "message"],
  ["WAYMARK_VERSION", "version"],
];

/** POSIX single quotes: nothing inside is expanded, and a `'` is written `'\''`. Null becomes `''`. */
export function shellQuote(value: string | null): string {
  return `'${(value ?? "").replace(/'/g, "'\\''")}'`;
}

/**
 * `waymark source-info --format env`: lines a POSIX shell can `eval` or `.`-source. Not for `$GITHUB_ENV`,
 * which takes values literally and would keep the quotes: that is `--format github-env`.
 */
export function formatSourceInfoEnv(info: SourceInfo): string {
  return ENV_NAMES.map(([name, key]) => `${name}=${shellQuote(info[key])}\n`).join("");
}

export function formatSourceInfoJson(info: SourceInfo): string {
  return `${JSON.stringify(info, null, 2)}\n`;
}

/**
 * `waymark source-info --format github-env`: GitHub's environment-file syntax, `NAME<<DELIMITER`, value,
 * `DELIMITER`, as @actions/core writes it. The file takes values literally, so no quoting is needed, and
 * a random delimiter means no value (a branch name from a fork, say) can end it early and smuggle in
 * another variable.
 */
export function formatSourceInfoGithubEnv(info: SourceInfo, delimiter = () => `ghadelimiter_${randomUUID()}`): string {
  return ENV_NAMES.map(([name, key]) => {
    const end = delimiter();
    return `${name}<<${end}\n${info[key] ?? ""}\n${end}\n`;
  }).join("");
}

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

/** `waymark source-info --format env`: lines a shell can `eval` or append to `$GITHUB_ENV`-style files. */
export function formatSourceInfoEnv(info: SourceInfo): string {
  return ENV_NAMES.map(([name, key]) => `${name}=${shellQuote(info[key])}\n`).join("");
}

export function formatSourceInfoJson(info: SourceInfo): string {
  return `${JSON.stringify(info, null, 2)}\n`;
}

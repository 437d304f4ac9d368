import type { Env } from "../env";

export const SOURCE_TYPES = ["GITHUB", "GITLAB", "BITBUCKET", "AZURE_DEVOPS", "GIT", "SIMPLE"] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** Where a version's code came from (docs/design.md, "Source info"). Bookkeeping only; null wherever nothing reliable was found. */
export interface SourceInfo {
  type: SourceType;
  version: string | null;
  commitSha: string | null;
  branch: string | null;
  repository: string | null;
  url: string | null;
  message: string | null;
}

/** Runs `git <args>` in the checkout; resolves to trimmed stdout, or null when git fails or there is no repository. */
export type GitRunner = (args: string[]) => Promise<string | null>;

/** One row of the detection table, in the style of semantic-release/env-ci. */
export interface SourceProvider {
  type: SourceType;
  /** What must hold for this provider to apply; shown when `--version-type` forces it and it does not. */
  requirement: string;
  detect(env: Env, git: GitRunner): boolean | Promise<boolean>;
  read(env: Env, git: GitRunner): Promise<SourceInfo>;
}

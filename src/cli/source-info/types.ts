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

/** The variables that identify one CI run attempt, as env-ci's `build` and `job` do. */
export interface CiRun {
  /** Names the platform in derived keys. */
  platform: string;
  /** Identify the run attempt; all must be set to derive a key. */
  ids: readonly string[];
  /**
   * Where the run ids are unique: Bitbucket build numbers count per repository and Azure build ids
   * per organisation, so without these two repositories deploying into one workspace would collide.
   */
  scope: readonly string[];
}

/** A CI platform's row: detected from the environment alone, and knowing its run. */
export interface CiProvider extends SourceProvider {
  detect(env: Env): boolean;
  run: CiRun;
}

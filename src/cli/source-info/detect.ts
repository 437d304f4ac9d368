import type { Env } from "../env";
import { UsageError } from "../errors";
import { azureDevops } from "./providers/azure-devops";
import { bitbucket } from "./providers/bitbucket";
import { git } from "./providers/git";
import { github } from "./providers/github";
import { gitlab } from "./providers/gitlab";
import { simple } from "./providers/simple";
import type { CiProvider, GitRunner, SourceInfo, SourceProvider } from "./types";
import { parseVersionType } from "./version-type";

/** docs/design.md, "Source info detection": the first present platform wins, in this order; then git; then SIMPLE. */
export const CI_PROVIDERS: readonly CiProvider[] = [github, gitlab, bitbucket, azureDevops];
export const PROVIDERS: readonly SourceProvider[] = [...CI_PROVIDERS, git, simple];

/** The CI platform this process runs on, by the same rule as source detection; null outside CI. */
export function presentCi(env: Env): CiProvider | null {
  return CI_PROVIDERS.find((provider) => provider.detect(env)) ?? null;
}

/**
 * Detects where the code being deployed comes from. `versionType` (the `--version-type` flag) forces a
 * provider; forcing one whose environment is absent is a UsageError rather than a silent fallback.
 */
export async function detectSourceInfo(env: Env, run: GitRunner, versionType?: string | null): Promise<SourceInfo> {
  if (versionType) return readForced(env, run, versionType);
  for (const provider of PROVIDERS) {
    if (await provider.detect(env, run)) return provider.read(env, run);
  }
  return simple.read(env, run);
}

async function readForced(env: Env, run: GitRunner, versionType: string): Promise<SourceInfo> {
  const type = parseVersionType(versionType);
  const provider = PROVIDERS.find((p) => p.type === type) ?? simple;
  if (!(await provider.detect(env, run))) {
    throw new UsageError(`--version-type ${versionType}: ${provider.requirement}`);
  }
  return provider.read(env, run);
}

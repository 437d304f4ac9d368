import type { VersionEntity } from "../version/version.entity";
import { compareUrl } from "./repo-web";

/**
 * The host's compare page between the two versions' commits, when both name a commit of the
 * same repository on GitHub, GitLab, Bitbucket or Azure DevOps; null otherwise (repo-web.ts).
 */
export function sourceCompareUrl(from: VersionEntity, to: VersionEntity): string | null {
  const ref = (v: VersionEntity) => ({ type: v.sourceType, url: v.sourceUrl, repository: v.sourceRepository, commitSha: v.sourceCommitSha });
  return compareUrl(ref(from), ref(to));
}

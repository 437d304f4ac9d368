import { envValue, type Env } from "../../env";
import { branchFromRef, commitMessage, sourceInfo } from "../build";
import { cleanHttpUrl } from "../remote-url";
import type { CiProvider } from "../types";

/**
 * BUILD_SOURCEBRANCH is a full ref. On pull requests it is `refs/pull/<n>/merge` (and
 * BUILD_SOURCEBRANCHNAME is just `merge`), so the PR's own source branch is used instead.
 */
function azureBranch(env: Env): string | null {
  const ref = envValue(env, "BUILD_SOURCEBRANCH");
  if (ref === null) return envValue(env, "BUILD_SOURCEBRANCHNAME");
  if (ref.startsWith("refs/pull/")) return branchFromRef(envValue(env, "SYSTEM_PULLREQUEST_SOURCEBRANCH"));
  return branchFromRef(ref);
}

export const azureDevops: CiProvider = {
  type: "AZURE_DEVOPS",
  requirement: "TF_BUILD must be set (an Azure Pipelines run)",
  detect: (env) => envValue(env, "TF_BUILD") !== null,
  run: {
    platform: "azure",
    ids: ["BUILD_BUILDID", "SYSTEM_JOBATTEMPT"],
    scope: ["SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECTID", "SYSTEM_JOBID"],
  },
  async read(env, git) {
    const commitSha = envValue(env, "BUILD_SOURCEVERSION");
    const repositoryUri = cleanHttpUrl(envValue(env, "BUILD_REPOSITORY_URI"));
    return sourceInfo("AZURE_DEVOPS", {
      commitSha,
      branch: azureBranch(env),
      repository: envValue(env, "BUILD_REPOSITORY_NAME"),
      url: repositoryUri && commitSha ? `${repositoryUri}?version=GC${commitSha}` : null,
      message: await commitMessage(git, commitSha),
    });
  },
};

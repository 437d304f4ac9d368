import { envValue, type Env } from "../../env";
import { commitMessage, sourceInfo } from "../build";
import { cleanHttpUrl } from "../remote-url";
import type { CiProvider } from "../types";

/** Tag pipelines have no branch; a merge-request ref is replaced by the merge request's source branch. */
function gitlabBranch(env: Env): string | null {
  if (envValue(env, "CI_COMMIT_TAG")) return null;
  const refName = envValue(env, "CI_COMMIT_REF_NAME");
  if (refName?.startsWith("refs/")) return envValue(env, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME");
  return refName;
}

export const gitlab: CiProvider = {
  type: "GITLAB",
  requirement: "GITLAB_CI must be set (a GitLab CI job)",
  detect: (env) => envValue(env, "GITLAB_CI") !== null,
  run: {
    platform: "gitlab",
    ids: ["CI_PIPELINE_ID", "CI_JOB_ID"],
    scope: ["CI_SERVER_URL", "CI_PROJECT_ID"],
  },
  async read(env, git) {
    const commitSha = envValue(env, "CI_COMMIT_SHA");
    const project = cleanHttpUrl(envValue(env, "CI_PROJECT_URL"));
    return sourceInfo("GITLAB", {
      commitSha,
      branch: gitlabBranch(env),
      repository: envValue(env, "CI_PROJECT_PATH") ?? envValue(env, "CI_PROJECT_NAME"),
      url: project && commitSha ? `${project}/-/tree/${commitSha}` : null,
      message: envValue(env, "CI_COMMIT_TITLE") ?? (await commitMessage(git, commitSha)),
    });
  },
};

import { envValue, type Env } from "../../env";
import { commitMessage, sourceInfo } from "../build";
import { cleanHttpUrl } from "../remote-url";
import type { CiProvider } from "../types";

const PULL_REQUEST_REF_NAME = /^\d+\/(?:merge|head)$/;

/**
 * On pull requests GITHUB_REF_NAME is `123/merge`, never a branch: the head branch is GITHUB_HEAD_REF.
 * Tag builds have no branch at all.
 */
function githubBranch(env: Env): string | null {
  const ref = envValue(env, "GITHUB_REF");
  const refName = envValue(env, "GITHUB_REF_NAME");
  const headRef = envValue(env, "GITHUB_HEAD_REF");
  if (envValue(env, "GITHUB_REF_TYPE") === "tag" || ref?.startsWith("refs/tags/")) return null;
  const pullRequest =
    headRef !== null ||
    (envValue(env, "GITHUB_EVENT_NAME")?.startsWith("pull_request") ?? false) ||
    (ref?.startsWith("refs/pull/") ?? false) ||
    PULL_REQUEST_REF_NAME.test(refName ?? "");
  return pullRequest ? headRef : refName;
}

export const github: CiProvider = {
  type: "GITHUB",
  requirement: "GITHUB_ACTIONS must be set (a GitHub Actions run)",
  detect: (env) => envValue(env, "GITHUB_ACTIONS") !== null,
  run: {
    platform: "github",
    ids: ["GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"],
    scope: ["GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_JOB"],
  },
  async read(env, git) {
    const commitSha = envValue(env, "GITHUB_SHA");
    const repository = envValue(env, "GITHUB_REPOSITORY");
    const server = cleanHttpUrl(envValue(env, "GITHUB_SERVER_URL"));
    return sourceInfo("GITHUB", {
      commitSha,
      branch: githubBranch(env),
      repository,
      url: server && repository && commitSha ? `${server}/${repository}/tree/${commitSha}` : null,
      message: await commitMessage(git, commitSha),
    });
  },
};

import { envValue } from "../../env";
import { commitMessage, sourceInfo } from "../build";
import { cleanHttpUrl } from "../remote-url";
import type { CiProvider } from "../types";

export const bitbucket: CiProvider = {
  type: "BITBUCKET",
  requirement: "BITBUCKET_BUILD_NUMBER must be set (a Bitbucket Pipelines build)",
  detect: (env) => envValue(env, "BITBUCKET_BUILD_NUMBER") !== null,
  run: {
    platform: "bitbucket",
    ids: ["BITBUCKET_BUILD_NUMBER"],
    scope: ["BITBUCKET_WORKSPACE", "BITBUCKET_REPO_UUID", "BITBUCKET_REPO_FULL_NAME", "BITBUCKET_STEP_UUID"],
  },
  async read(env, git) {
    const commitSha = envValue(env, "BITBUCKET_COMMIT");
    const origin = cleanHttpUrl(envValue(env, "BITBUCKET_GIT_HTTP_ORIGIN"));
    return sourceInfo("BITBUCKET", {
      commitSha,
      branch: envValue(env, "BITBUCKET_TAG") ? null : envValue(env, "BITBUCKET_BRANCH"),
      repository: envValue(env, "BITBUCKET_REPO_FULL_NAME") ?? envValue(env, "BITBUCKET_REPO_SLUG"),
      url: origin && commitSha ? `${origin}/src/${commitSha}` : null,
      message: await commitMessage(git, commitSha),
    });
  },
};

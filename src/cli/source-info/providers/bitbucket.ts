import { envValue } from "../../env";
import { commitMessage, sourceInfo } from "../build";
import { cleanHttpUrl } from "../remote-url";
import type { SourceProvider } from "../types";

export const bitbucket: SourceProvider = {
  type: "BITBUCKET",
  requirement: "BITBUCKET_BUILD_NUMBER must be set (a Bitbucket Pipelines build)",
  detect: (env) => envValue(env, "BITBUCKET_BUILD_NUMBER") !== null,
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

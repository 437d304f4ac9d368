import { commitMessage, sourceInfo } from "../build";
import { parseRemote } from "../remote-url";
import type { GitRunner, SourceProvider } from "../types";

const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

/** `git rev-parse HEAD` fails in a repository without commits; anything but a SHA counts as none. */
async function headSha(git: GitRunner): Promise<string | null> {
  const sha = await git(["rev-parse", "--verify", "--quiet", "HEAD"]);
  return sha && FULL_SHA.test(sha) ? sha : null;
}

/** A detached HEAD (CI checkouts of a tag or a SHA) prints `HEAD`: there is no branch then. */
async function currentBranch(git: GitRunner): Promise<string | null> {
  const branch = await git(["rev-parse", "--abbrev-ref", "HEAD"]);
  return branch && branch !== "HEAD" ? branch : null;
}

export const git: SourceProvider = {
  type: "GIT",
  requirement: "the working directory must be inside a git checkout",
  detect: async (_env, run) => (await run(["rev-parse", "--is-inside-work-tree"])) === "true",
  async read(_env, run) {
    const commitSha = await headSha(run);
    const remote = parseRemote(await run(["config", "--get", "remote.origin.url"]));
    return sourceInfo("GIT", {
      commitSha,
      branch: commitSha ? await currentBranch(run) : null,
      repository: remote.repository,
      url: remote.url,
      message: await commitMessage(run, commitSha),
    });
  },
};

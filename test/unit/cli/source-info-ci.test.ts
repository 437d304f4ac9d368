import { describe, expect, it } from "vitest";
import { detectSourceInfo } from "../../../src/cli/source-info";
import { fakeGit, noGit } from "./fake-git";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("GitHub Actions", () => {
  const push = {
    GITHUB_ACTIONS: "true",
    GITHUB_SHA: SHA,
    GITHUB_REF: "refs/heads/main",
    GITHUB_REF_NAME: "main",
    GITHUB_REF_TYPE: "branch",
    GITHUB_EVENT_NAME: "push",
    GITHUB_REPOSITORY: "my-org/my-repo",
    GITHUB_SERVER_URL: "https://github.com",
  };

  it("reads a push build completely, with the message from the checkout", async () => {
    const info = await detectSourceInfo(push, fakeGit({ [SHA]: "Fix the thing\n\nLonger body\n" }));
    expect(info).toEqual({
      type: "GITHUB",
      version: "01234567",
      commitSha: SHA,
      branch: "main",
      repository: "my-org/my-repo",
      url: `https://github.com/my-org/my-repo/tree/${SHA}`,
      message: "Fix the thing",
    });
  });

  it("takes the head branch on pull requests, never the 123/merge ref", async () => {
    const pr = {
      ...push,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_REF: "refs/pull/123/merge",
      GITHUB_REF_NAME: "123/merge",
    };
    expect((await detectSourceInfo({ ...pr, GITHUB_HEAD_REF: "feature/x" }, noGit)).branch).toBe("feature/x");
    expect((await detectSourceInfo({ ...pr, GITHUB_HEAD_REF: "" }, noGit)).branch).toBeNull();
    const bareMergeRef = { GITHUB_ACTIONS: "true", GITHUB_SHA: SHA, GITHUB_REF_NAME: "123/merge" };
    expect((await detectSourceInfo(bareMergeRef, noGit)).branch).toBeNull();
  });

  it("gives no branch for tag builds", async () => {
    const byType = { ...push, GITHUB_REF_TYPE: "tag", GITHUB_REF: "refs/tags/v1.0.0", GITHUB_REF_NAME: "v1.0.0" };
    expect((await detectSourceInfo(byType, noGit)).branch).toBeNull();
    const byRef = { GITHUB_ACTIONS: "true", GITHUB_REF: "refs/tags/v1.0.0", GITHUB_REF_NAME: "v1.0.0" };
    expect((await detectSourceInfo(byRef, noGit)).branch).toBeNull();
  });

  it("leaves missing fields null and builds no URL from a missing variable", async () => {
    const { GITHUB_SERVER_URL: _server, ...noServer } = push;
    expect((await detectSourceInfo(noServer, noGit)).url).toBeNull();
    const partial = await detectSourceInfo({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "o/r" }, fakeGit({}));
    expect(partial).toEqual({
      type: "GITHUB",
      version: null,
      commitSha: null,
      branch: null,
      repository: "o/r",
      url: null,
      message: null,
    });
  });

  it("does not fall through to git when variables are missing, and never passes a non-SHA to git", async () => {
    const git = fakeGit({});
    const info = await detectSourceInfo({ GITHUB_ACTIONS: "true", GITHUB_SHA: "--output=/tmp/x" }, git);
    expect(info.type).toBe("GITHUB");
    expect(git.calls).toEqual([]);
  });

  it("strips credentials from the server URL", async () => {
    const info = await detectSourceInfo({ ...push, GITHUB_SERVER_URL: "https://u:secret@ghe.example.com/" }, noGit);
    expect(info.url).toBe(`https://ghe.example.com/my-org/my-repo/tree/${SHA}`);
  });
});

describe("GitLab CI", () => {
  const pipeline = {
    GITLAB_CI: "true",
    CI_COMMIT_SHA: SHA,
    CI_COMMIT_REF_NAME: "main",
    CI_PROJECT_PATH: "group/sub/project",
    CI_PROJECT_NAME: "project",
    CI_PROJECT_URL: "https://gitlab.example.com/group/sub/project",
    CI_COMMIT_TITLE: "Add feature",
  };

  it("reads a branch pipeline completely, message from CI_COMMIT_TITLE", async () => {
    expect(await detectSourceInfo(pipeline, noGit)).toEqual({
      type: "GITLAB",
      version: "01234567",
      commitSha: SHA,
      branch: "main",
      repository: "group/sub/project",
      url: `https://gitlab.example.com/group/sub/project/-/tree/${SHA}`,
      message: "Add feature",
    });
  });

  it("falls back to CI_PROJECT_NAME and to the checkout's message", async () => {
    const { CI_PROJECT_PATH: _p, CI_COMMIT_TITLE: _t, ...rest } = pipeline;
    const info = await detectSourceInfo(rest, fakeGit({ [SHA]: "From git" }));
    expect(info.repository).toBe("project");
    expect(info.message).toBe("From git");
  });

  it("gives no branch for tag pipelines and no URL without CI_PROJECT_URL", async () => {
    const tag = { ...pipeline, CI_COMMIT_TAG: "v2.0.0", CI_COMMIT_REF_NAME: "v2.0.0", CI_PROJECT_URL: undefined };
    const info = await detectSourceInfo(tag, noGit);
    expect(info.branch).toBeNull();
    expect(info.url).toBeNull();
  });

  it("uses the merge request's source branch instead of a merge-request ref", async () => {
    const mr = { ...pipeline, CI_COMMIT_REF_NAME: "refs/merge-requests/7/merge" };
    expect((await detectSourceInfo(mr, noGit)).branch).toBeNull();
    const withSource = { ...mr, CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature" };
    expect((await detectSourceInfo(withSource, noGit)).branch).toBe("feature");
  });
});

describe("Bitbucket Pipelines", () => {
  const build = {
    BITBUCKET_BUILD_NUMBER: "42",
    BITBUCKET_COMMIT: SHA,
    BITBUCKET_BRANCH: "develop",
    BITBUCKET_REPO_FULL_NAME: "team/repo",
    BITBUCKET_REPO_SLUG: "repo",
    BITBUCKET_GIT_HTTP_ORIGIN: "http://bitbucket.org/team/repo",
  };

  it("reads a branch build completely", async () => {
    expect(await detectSourceInfo(build, noGit)).toEqual({
      type: "BITBUCKET",
      version: "01234567",
      commitSha: SHA,
      branch: "develop",
      repository: "team/repo",
      url: `http://bitbucket.org/team/repo/src/${SHA}`,
      message: null,
    });
  });

  it("falls back to the slug, gives no branch for tags, no URL without the origin", async () => {
    const tag = {
      BITBUCKET_BUILD_NUMBER: "43",
      BITBUCKET_COMMIT: SHA,
      BITBUCKET_TAG: "v1",
      BITBUCKET_REPO_SLUG: "repo",
    };
    const info = await detectSourceInfo(tag, noGit);
    expect(info).toMatchObject({ repository: "repo", branch: null, url: null, commitSha: SHA });
  });
});

describe("Azure Pipelines", () => {
  const run = {
    TF_BUILD: "True",
    BUILD_SOURCEVERSION: SHA,
    BUILD_SOURCEBRANCH: "refs/heads/release/1.x",
    BUILD_SOURCEBRANCHNAME: "1.x",
    BUILD_REPOSITORY_NAME: "my-repo",
    BUILD_REPOSITORY_URI: "https://org@dev.azure.com/org/project/_git/my-repo",
  };

  it("reads a branch build completely, the full branch name from BUILD_SOURCEBRANCH", async () => {
    expect(await detectSourceInfo(run, fakeGit({ [SHA]: "Azure commit" }))).toEqual({
      type: "AZURE_DEVOPS",
      version: "01234567",
      commitSha: SHA,
      branch: "release/1.x",
      repository: "my-repo",
      url: `https://dev.azure.com/org/project/_git/my-repo?version=GC${SHA}`,
      message: "Azure commit",
    });
  });

  it("falls back to BUILD_SOURCEBRANCHNAME, and gives no branch for tags", async () => {
    const { BUILD_SOURCEBRANCH: _b, ...noRef } = run;
    expect((await detectSourceInfo(noRef, noGit)).branch).toBe("1.x");
    const tag = { ...run, BUILD_SOURCEBRANCH: "refs/tags/v3", BUILD_SOURCEBRANCHNAME: "v3" };
    expect((await detectSourceInfo(tag, noGit)).branch).toBeNull();
  });

  it("never takes `merge` from a pull-request ref as the branch", async () => {
    const pr = { ...run, BUILD_SOURCEBRANCH: "refs/pull/9/merge", BUILD_SOURCEBRANCHNAME: "merge" };
    expect((await detectSourceInfo(pr, noGit)).branch).toBeNull();
    const withSource = { ...pr, SYSTEM_PULLREQUEST_SOURCEBRANCH: "refs/heads/topic" };
    expect((await detectSourceInfo(withSource, noGit)).branch).toBe("topic");
  });

  it("leaves url null without BUILD_REPOSITORY_URI", async () => {
    const info = await detectSourceInfo({ TF_BUILD: "True", BUILD_SOURCEVERSION: SHA }, noGit);
    expect(info).toMatchObject({ type: "AZURE_DEVOPS", url: null, repository: null, branch: null });
  });
});

describe("platform order", () => {
  it("takes the first present platform", async () => {
    const both = { GITLAB_CI: "true", TF_BUILD: "True", GITHUB_ACTIONS: "true" };
    expect((await detectSourceInfo(both, noGit)).type).toBe("GITHUB");
    expect((await detectSourceInfo({ TF_BUILD: "True", BITBUCKET_BUILD_NUMBER: "1" }, noGit)).type).toBe("BITBUCKET");
  });

  it("is SIMPLE with no platform and no git", async () => {
    expect(await detectSourceInfo({ GITHUB_ACTIONS: "" }, noGit)).toEqual({
      type: "SIMPLE",
      version: null,
      commitSha: null,
      branch: null,
      repository: null,
      url: null,
      message: null,
    });
  });
});

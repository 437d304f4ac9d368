import { describe, expect, it } from "vitest";
import { jsonDifferences, versionDifferences } from "../../ui/diff";
import { commitUrl, compareUrl } from "../../src/release/repo-web";
import type { SourceInfo } from "../../ui/api";

const A = "a".repeat(40);
const B = "b".repeat(40);
const source = (fields: Partial<SourceInfo>): SourceInfo => ({
  type: null,
  version: null,
  commitSha: null,
  branch: null,
  repository: null,
  url: null,
  message: null,
  ...fields,
});

describe("history page: links to the repository host", () => {
  it.each([
    [
      "GitHub by owner/name",
      { type: "GITHUB", repository: "acme/etl" },
      `https://github.com/acme/etl/commit/${A}`,
      `https://github.com/acme/etl/compare/${A}...${B}`,
    ],
    [
      "GitHub Enterprise by the CI's tree URL",
      { type: "GITHUB", repository: "acme/etl", url: `https://ghe.example/acme/etl/tree/${A}` },
      `https://ghe.example/acme/etl/commit/${A}`,
      `https://ghe.example/acme/etl/compare/${A}...${B}`,
    ],
    [
      "GitLab subgroup",
      { type: "GITLAB", repository: "acme/data/etl" },
      `https://gitlab.com/acme/data/etl/-/commit/${A}`,
      `https://gitlab.com/acme/data/etl/-/compare/${A}...${B}`,
    ],
    [
      "Bitbucket",
      { type: "BITBUCKET", repository: "acme/etl" },
      `https://bitbucket.org/acme/etl/commits/${A}`,
      `https://bitbucket.org/acme/etl/branches/compare/${B}%0D${A}`,
    ],
    [
      "Azure DevOps by its ?version= URL",
      { type: "AZURE_DEVOPS", repository: "etl", url: `https://dev.azure.com/acme/data/_git/etl?version=GC${A}` },
      `https://dev.azure.com/acme/data/_git/etl/commit/${A}`,
      `https://dev.azure.com/acme/data/_git/etl/branchCompare?baseVersion=GC${A}&targetVersion=GC${B}`,
    ],
    [
      "plain git with a GitHub clone URL",
      { type: "GIT", repository: "etl", url: "https://github.com/acme/etl.git" },
      `https://github.com/acme/etl/commit/${A}`,
      `https://github.com/acme/etl/compare/${A}...${B}`,
    ],
  ] as const)("%s", (_name, fields, commit, compare) => {
    expect(commitUrl(source({ ...fields, commitSha: A }))).toBe(commit);
    expect(compareUrl(source({ ...fields, commitSha: A }), source({ ...fields, commitSha: B }))).toBe(compare);
  });

  it("gives no link it cannot make right", () => {
    expect(commitUrl(source({ type: "GIT", repository: "etl", commitSha: A }))).toBeNull();
    expect(commitUrl(source({ type: "GITHUB", repository: "acme/etl" }))).toBeNull();
    expect(commitUrl(source({ type: "SIMPLE", commitSha: A }))).toBeNull();
    expect(commitUrl(source({ type: "GITHUB", repository: "javascript:alert(1)", commitSha: A }))).toBeNull();
    expect(commitUrl(source({ type: "GITHUB", url: "javascript:alert(1)", commitSha: A }))).toBeNull();
    expect(
      compareUrl(source({ type: "GITHUB", repository: "acme/etl", commitSha: A }), source({ type: "GITHUB", repository: "acme/other", commitSha: B })),
    ).toBeNull();
    expect(
      compareUrl(source({ type: "GITHUB", repository: "acme/etl", commitSha: A }), source({ type: "GITHUB", repository: "acme/etl", commitSha: A })),
    ).toBeNull();
    expect(compareUrl(null, source({ type: "GITHUB", repository: "acme/etl", commitSha: B }))).toBeNull();
  });
});

describe("history page: differences of versioned properties", () => {
  it("names each differing leaf by its path", () => {
    expect(jsonDifferences({ image: "a", env: { X: "1" }, cpu: "1" }, { image: "b", env: { X: "1", Y: "2" }, cpu: "1" }, "jobVariables")).toEqual([
      { path: "jobVariables.env.Y", before: undefined, after: "2" },
      { path: "jobVariables.image", before: "a", after: "b" },
    ]);
    expect(jsonDifferences([{ git_clone: { commit_sha: "1" } }], [{ git_clone: { commit_sha: "2" } }, { run: "x" }], "pullSteps")).toEqual([
      { path: "pullSteps[0].git_clone.commit_sha", before: "1", after: "2" },
      { path: "pullSteps[1]", before: undefined, after: { run: "x" } },
    ]);
    expect(jsonDifferences({ a: [1, 2] }, { a: "1,2" }, "labels")).toEqual([{ path: "labels.a", before: [1, 2], after: "1,2" }]);
  });

  it("compares only versioned properties, in a fixed order", () => {
    const base = { version: "1", entrypoint: "a.py:f", tags: ["x"], parameters: {}, createdAt: "t1", id: "ver_1", isLive: true };
    expect(versionDifferences(base, { ...base, createdAt: "t2", id: "ver_2", isLive: false })).toEqual([]);
    expect(versionDifferences(base, { ...base, tags: ["x", "y"], entrypoint: "b.py:f", version: "2" }).map((d) => d.path)).toEqual([
      "version",
      "entrypoint",
      "tags[1]",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { sourceCompareUrl } from "../../src/release/compare-url";
import { jsonDiff, pointerToken } from "../../src/release/json-diff";
import type { VersionEntity } from "../../src/version/version.entity";

const A = "1".repeat(40);
const B = "2".repeat(40);
const v = (sha: string, fields: Partial<VersionEntity>) =>
  ({ sourceCommitSha: sha, sourceType: null, sourceRepository: null, sourceUrl: null, ...fields }) as VersionEntity;
const pair = (fields: Partial<VersionEntity>) => sourceCompareUrl(v(A, fields), v(B, fields));

describe("sourceCompareUrl", () => {
  it("uses each host's own compare form", () => {
    expect(pair({ sourceType: "GITHUB", sourceRepository: "acme/etl" })).toBe(`https://github.com/acme/etl/compare/${A}...${B}`);
    expect(pair({ sourceType: "GITLAB", sourceRepository: "grp/sub/etl" })).toBe(`https://gitlab.com/grp/sub/etl/-/compare/${A}...${B}`);
    expect(pair({ sourceType: "BITBUCKET", sourceRepository: "team/etl" })).toBe(`https://bitbucket.org/team/etl/branches/compare/${B}%0D${A}`);
    expect(pair({ sourceType: "AZURE_DEVOPS", sourceUrl: "https://dev.azure.com/org/proj/_git/etl" })).toBe(
      `https://dev.azure.com/org/proj/_git/etl/branchCompare?baseVersion=GC${A}&targetVersion=GC${B}`,
    );
    expect(pair({ sourceType: "GIT", sourceUrl: "https://gitlab.example.com/grp/etl.git" })).toBeNull();
    expect(pair({ sourceType: "GIT", sourceUrl: "https://github.com/acme/etl.git" })).toBe(`https://github.com/acme/etl/compare/${A}...${B}`);
  });

  it("finds the repository in a tree or ?version= link the CI reported, as the history page does", () => {
    expect(pair({ sourceType: "GITHUB", sourceUrl: "https://github.com/acme/etl/tree/main" })).toBe(`https://github.com/acme/etl/compare/${A}...${B}`);
    expect(pair({ sourceType: "AZURE_DEVOPS", sourceUrl: `https://dev.azure.com/org/proj/_git/etl?version=GC${A}` })).toBe(
      `https://dev.azure.com/org/proj/_git/etl/branchCompare?baseVersion=GC${A}&targetVersion=GC${B}`,
    );
    expect(pair({ sourceType: "GITHUB", sourceRepository: "javascript:alert(1)" })).toBeNull();
  });

  it("is null across repositories, without commits, or for Azure without its URL", () => {
    expect(sourceCompareUrl(v(A, { sourceType: "GITHUB", sourceRepository: "acme/a" }), v(B, { sourceType: "GITHUB", sourceRepository: "acme/b" }))).toBeNull();
    expect(
      sourceCompareUrl(v(A, { sourceType: "GITHUB", sourceRepository: "acme/a" }), v("", { sourceType: "GITHUB", sourceRepository: "acme/a" })),
    ).toBeNull();
    expect(pair({ sourceType: "AZURE_DEVOPS", sourceRepository: "etl" })).toBeNull();
  });
});

describe("jsonDiff", () => {
  it("escapes ~ before /", () => expect(pointerToken("~/a~1")).toBe("~0~1a~01"));
  it("walks arrays by index and reports a trailing removal from the end", () => {
    expect(jsonDiff([1, 2, 3], [1])).toEqual([
      { path: "/2", op: "REMOVE", before: 3 },
      { path: "/1", op: "REMOVE", before: 2 },
    ]);
    expect(jsonDiff({ a: null }, { a: {} })).toEqual([{ path: "/a", op: "REPLACE", before: null, after: {} }]);
  });
});

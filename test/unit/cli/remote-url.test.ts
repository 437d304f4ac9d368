import { describe, expect, it } from "vitest";
import { cleanHttpUrl, parseRemote } from "../../../src/cli/source-info/remote-url";

describe("parseRemote", () => {
  it.each([
    ["https://github.com/org/repo.git", "org/repo", "https://github.com/org/repo.git"],
    ["https://github.com/org/repo", "org/repo", "https://github.com/org/repo"],
    ["https://oauth2:glpat-xyz@gitlab.com/g/sub/repo.git", "g/sub/repo", "https://gitlab.com/g/sub/repo.git"],
    ["https://host/org/repo.git?private_token=abc", "org/repo", "https://host/org/repo.git"],
    ["git@github.com:org/repo.git", "org/repo", null],
    ["github.com:org/repo", "org/repo", null],
    ["ssh://git@host.example.com:2222/org/repo.git", "org/repo", null],
    ["git://host/org/repo.git", "org/repo", null],
    ["/srv/git/project.git", "project", null],
    ["file:///srv/git/project.git", "project", null],
    ["", null, null],
  ])("%s → %s", (remote, repository, url) => {
    expect(parseRemote(remote)).toEqual({ repository, url });
  });
});

describe("cleanHttpUrl", () => {
  it("keeps only http(s) without credentials, query or trailing slash", () => {
    expect(cleanHttpUrl("https://u:p@github.com/")).toBe("https://github.com");
    expect(cleanHttpUrl("ftp://github.com")).toBeNull();
    expect(cleanHttpUrl("not a url")).toBeNull();
    expect(cleanHttpUrl(null)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/cli/errors";
import { detectSourceInfo, formatSourceInfoEnv, parseVersionType, shellQuote, type SourceInfo } from "../../../src/cli/source-info";
import { noGit } from "./fake-git";

const SHA = "fedcba9876543210fedcba9876543210fedcba98";

describe("--version-type", () => {
  it.each([
    ["GITHUB", "GITHUB"],
    ["github", "GITHUB"],
    ["vcs:github", "GITHUB"],
    ["vcs:gitlab", "GITLAB"],
    ["Bitbucket", "BITBUCKET"],
    ["vcs:bitbucket", "BITBUCKET"],
    ["AZURE_DEVOPS", "AZURE_DEVOPS"],
    ["vcs:azuredevops", "AZURE_DEVOPS"],
    ["git", "GIT"],
    ["vcs:git", "GIT"],
    ["SIMPLE", "SIMPLE"],
    ["prefect:simple", "SIMPLE"],
  ])("accepts %s", (name, type) => {
    expect(parseVersionType(name)).toBe(type);
  });

  it("rejects an unknown name with a usage error listing the accepted ones", () => {
    expect(() => parseVersionType("svn")).toThrow(UsageError);
    expect(() => parseVersionType("svn")).toThrow(/vcs:github/);
  });

  it("forces a platform over the detected one", async () => {
    const env = { GITHUB_ACTIONS: "true", GITLAB_CI: "true", CI_COMMIT_SHA: SHA, GITHUB_SHA: "0".repeat(40) };
    const info = await detectSourceInfo(env, noGit, "vcs:gitlab");
    expect(info).toMatchObject({ type: "GITLAB", commitSha: SHA });
  });

  it("forces SIMPLE even inside CI", async () => {
    const info = await detectSourceInfo({ GITHUB_ACTIONS: "true", GITHUB_SHA: SHA }, noGit, "prefect:simple");
    expect(info).toMatchObject({ type: "SIMPLE", commitSha: null });
  });

  it("is a usage error to force a platform whose marker is missing", async () => {
    const forced = detectSourceInfo({ GITHUB_SHA: SHA }, noGit, "vcs:github");
    await expect(forced).rejects.toBeInstanceOf(UsageError);
    await expect(detectSourceInfo({}, noGit, "AZURE_DEVOPS")).rejects.toThrow(/TF_BUILD/);
    await expect(detectSourceInfo({}, noGit, "GIT")).rejects.toThrow(/git checkout/);
  });
});

describe("--format env", () => {
  const info: SourceInfo = {
    type: "GITHUB",
    version: SHA.slice(0, 8),
    commitSha: SHA,
    branch: "feature/it's",
    repository: "o/r",
    url: null,
    message: `Say "hi" $HOME \`x\` and 'quote'`,
  };

  it("prints one WAYMARK_* line per field in POSIX single quotes, null as ''", () => {
    expect(formatSourceInfoEnv(info)).toBe(
      [
        "WAYMARK_SOURCE_TYPE='GITHUB'",
        `WAYMARK_COMMIT_SHA='${SHA}'`,
        "WAYMARK_BRANCH='feature/it'\\''s'",
        "WAYMARK_REPOSITORY='o/r'",
        "WAYMARK_URL=''",
        "WAYMARK_MESSAGE='Say \"hi\" $HOME `x` and '\\''quote'\\'''",
        `WAYMARK_VERSION='${SHA.slice(0, 8)}'`,
        "",
      ].join("\n"),
    );
  });

  it("quotes so that a POSIX shell reads the value back unchanged", async () => {
    const { execFileSync } = await import("node:child_process");
    const value = "a'b\"c $HOME `d` \\e";
    expect(execFileSync("sh", ["-c", `printf %s ${shellQuote(value)}`], { encoding: "utf8" })).toBe(value);
  });
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitRunner, detectSourceInfo, formatSourceInfoEnv, formatSourceInfoJson } from "../../../src/cli/source-info";

// Real repositories, isolated from the machine's git configuration and from any enclosing repository.
const root = realpathSync(mkdtempSync(join(tmpdir(), "waymark-git-")));
const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CEILING_DIRECTORIES: root,
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim();
}

function repo(name: string, commits: string[] = ["First commit\n\nBody"]): string {
  const dir = join(root, name);
  execFileSync("mkdir", ["-p", dir]);
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.name", "Waymark Test");
  git(dir, "config", "user.email", "test@example.com");
  git(dir, "config", "commit.gpgsign", "false");
  commits.forEach((message, i) => {
    writeFileSync(join(dir, "file.txt"), `${i}\n`);
    git(dir, "add", "file.txt");
    git(dir, "commit", "--quiet", "-m", message);
  });
  return dir;
}

const detect = (dir: string) => detectSourceInfo({}, createGitRunner(dir, gitEnv));

beforeAll(() => {
  git(root, "--version");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("git detection in real repositories", () => {
  it("reads an https remote", async () => {
    const dir = repo("https");
    git(dir, "remote", "add", "origin", "https://github.com/my-org/my-repo.git");
    const sha = git(dir, "rev-parse", "HEAD");
    expect(await detect(dir)).toEqual({
      type: "GIT",
      version: sha.slice(0, 8),
      commitSha: sha,
      branch: "main",
      repository: "my-org/my-repo",
      url: "https://github.com/my-org/my-repo.git",
      message: "First commit",
    });
  });

  it("gives org/repo for an scp-style SSH remote, and no (non-http) url", async () => {
    const dir = repo("ssh");
    git(dir, "remote", "add", "origin", "git@github.com:my-org/my-repo.git");
    expect(await detect(dir)).toMatchObject({ repository: "my-org/my-repo", url: null });
  });

  it("never lets a token in the remote URL reach the output", async () => {
    const dir = repo("token");
    git(dir, "remote", "add", "origin", "https://x-access-token:ghp_SECRET123@github.com/my-org/private.git");
    const info = await detect(dir);
    expect(info).toMatchObject({ repository: "my-org/private", url: "https://github.com/my-org/private.git" });
    const printed = JSON.stringify(info) + formatSourceInfoEnv(info) + formatSourceInfoJson(info);
    expect(printed).not.toContain("ghp_SECRET123");
    expect(printed).not.toContain("x-access-token");
  });

  it("works without a remote", async () => {
    const dir = repo("no-remote", ["one", "two"]);
    expect(await detect(dir)).toMatchObject({ type: "GIT", repository: null, url: null, message: "two" });
  });

  it("gives no branch on a detached HEAD", async () => {
    const dir = repo("detached", ["one", "two"]);
    const first = git(dir, "rev-parse", "HEAD~1");
    git(dir, "checkout", "--quiet", "--detach", first);
    expect(await detect(dir)).toMatchObject({ type: "GIT", commitSha: first, branch: null, message: "one" });
  });

  it("gives no commit (and so no version or message) in a repository without commits", async () => {
    const dir = repo("empty", []);
    expect(await detect(dir)).toEqual({
      type: "GIT",
      version: null,
      commitSha: null,
      branch: null,
      repository: null,
      url: null,
      message: null,
    });
  });

  it("is SIMPLE outside any git repository", async () => {
    const dir = join(root, "plain");
    execFileSync("mkdir", ["-p", dir]);
    expect((await detect(dir)).type).toBe("SIMPLE");
  });

  it("prefers a CI platform over the checkout", async () => {
    const dir = repo("ci");
    const info = await detectSourceInfo({ GITLAB_CI: "true" }, createGitRunner(dir, gitEnv));
    expect(info).toMatchObject({ type: "GITLAB", commitSha: null, message: null });
  });
});

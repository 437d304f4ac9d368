import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Run } from "../support/cli";
import { SEED_PREFECT_YAML } from "../support/seed-prefect";
import { freePort } from "../support/processes";
import { startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";

// docs/design.md, "The CLI": the `waymark` CLI as a CI job runs it — a child process with its own environment —
// against a server on MariaDB.

const DEPLOYMENT = "my-flow/my-deployment";
const sha = (c: string) => c.repeat(40);
const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** A GitHub Actions job's environment; `run` is GITHUB_RUN_ID. */
function githubEnv(commit: string, run: string, imageDigest: string | null): Record<string, string> {
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_SHA: commit,
    GITHUB_REF_NAME: "main",
    GITHUB_REPOSITORY: "my-org/my-repo",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: run,
    GITHUB_RUN_ATTEMPT: "1",
    ...(imageDigest ? { IMAGE_DIGEST: imageDigest } : {}),
  };
}

describe("waymark CLI on mysql", () => {
  let server: TestServer;
  let dir: string;

  const waymark = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(server.url, dir, args, env);

  const json = async (args: string[], env: Record<string, string> = {}) => {
    const run = await waymark([...args, "--json"], env);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    return JSON.parse(run.stdout);
  };

  const deploymentState = async () => {
    const result = await server.gql(
      `query($f: String!, $n: String!) { deploymentByName(flowName: $f, name: $n) {
        versionCount liveVersion { id number }
        versions { edges { node { id number version isLive jobVariables pullSteps
          sourceInfo { type version commitSha branch repository url message }
          codePin { commitSha repository imageDigest pinned warnings } } } } } }`,
      { f: "my-flow", n: "my-deployment" },
    );
    return result.data.deploymentByName;
  };

  beforeAll(async () => {
    server = await startServer("mysql");
    dir = mkdtempSync(join(tmpdir(), "waymark-cli-e2e-"));
    writeFileSync(join(dir, "prefect.yaml"), SEED_PREFECT_YAML);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("deploys the seed's combined example under GitHub Actions, pinned by commit and image digest", async () => {
    const run = await waymark(["deploy"], githubEnv(sha("a"), "101", digest("1")));
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain('Deployed my-flow/my-deployment: version 1 "0.0.1"');
    expect(run.stdout).toMatch(/live: +yes/);
    expect(run.stdout).toMatch(new RegExp(`code: +pinned \\(commit ${sha("a")} of https://github.com/my-org/my-repo.git, image ${digest("1")}\\)`));
    const state = await deploymentState();
    expect(state.versionCount).toBe(1);
    expect(state.versions.edges[0].node).toMatchObject({
      number: 1,
      version: "0.0.1",
      isLive: true,
      jobVariables: { image: `my-registry/my-image@${digest("1")}` },
      pullSteps: [{ "prefect.deployments.steps.git_clone": { repository: "https://github.com/my-org/my-repo.git", commit_sha: sha("a") } }],
      sourceInfo: {
        type: "GITHUB",
        version: "aaaaaaaa",
        commitSha: sha("a"),
        branch: "main",
        repository: "my-org/my-repo",
        url: `https://github.com/my-org/my-repo/tree/${sha("a")}`,
        message: null,
      },
      codePin: { commitSha: sha("a"), repository: "https://github.com/my-org/my-repo.git", imageDigest: digest("1"), pinned: true, warnings: [] },
    });
  });

  it("creates no second version when the same CI run deploys again", async () => {
    const first = (await deploymentState()).versions.edges[0].node.id;
    const again = await json(["deploy"], githubEnv(sha("a"), "101", digest("1")));
    expect(again.deployed).toHaveLength(1);
    expect(again.deployed[0].version).toMatchObject({ id: first, number: 1, isLive: true });
    expect((await deploymentState()).versionCount).toBe(1);
  });

  it("deploys a second version, rolls back, promotes, and shows all of it in history", async () => {
    const second = await json(["deploy"], githubEnv(sha("b"), "102", digest("2")));
    expect(second.deployed[0].version).toMatchObject({ number: 2, version: "0.0.1", isLive: true, codePin: { commitSha: sha("b"), pinned: true } });

    const back = await json(["rollback", DEPLOYMENT, "--reason", "bad build"]);
    expect(back).toMatchObject({ kind: "ROLLBACK", reason: "bad build", previousVersion: { number: 2 }, liveVersion: { number: 1 } });
    const forward = await waymark(["promote", DEPLOYMENT]);
    expect(forward, forward.stderr).toMatchObject({ code: 0 });
    expect(forward.stdout).toContain('Promoted my-flow/my-deployment: version 2 "0.0.1"');

    const history = await json(["history", DEPLOYMENT]);
    expect(history.versions.edges.map((e: any) => [e.node.number, e.node.version, e.node.isLive])).toEqual([
      [2, "0.0.1", true],
      [1, "0.0.1", false],
    ]);
    expect(history.versions.edges[0].node.sourceInfo).toMatchObject({ commitSha: sha("b"), branch: "main" });
    expect(history.liveHistory.edges.map((e: any) => [e.node.kind, e.node.previousVersion?.number ?? null, e.node.liveVersion.number])).toEqual([
      ["PROMOTE", 1, 2],
      ["ROLLBACK", 2, 1],
      ["CREATE", 1, 2],
      ["CREATE", null, 1],
    ]);
    const text = await waymark(["history", DEPLOYMENT, "--first", "5"]);
    expect(text.stdout).toMatch(/^ {2}\* +2 +0\.0\.1 +bbbbbbbb +main /m);
    expect(text.stdout).toMatch(/^ {2}\d+ +ROLLBACK +2 +1 .*bad build$/m);
  });

  it("refuses --to a version name that two versions share, listing both (exit 2)", async () => {
    const ids = (await deploymentState()).versions.edges.map((e: any) => e.node.id);
    const run = await waymark(["rollback", DEPLOYMENT, "--to", "0.0.1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--to "0.0.1" names 2 versions');
    expect(run.stderr).toContain(`version 2 (${ids[0]})`);
    expect(run.stderr).toContain(`version 1 (${ids[1]})`);
    expect((await deploymentState()).liveVersion.number).toBe(2);
  });

  it("targets a version by number and by a unique name", async () => {
    await json(["deploy", "--version", "hotfix-1"], githubEnv(sha("c"), "103", digest("3")));
    expect(await json(["rollback", DEPLOYMENT, "--to", "1"])).toMatchObject({ liveVersion: { number: 1, version: "0.0.1" } });
    expect(await json(["promote", DEPLOYMENT, "--to", "hotfix-1"])).toMatchObject({ liveVersion: { number: 3, version: "hotfix-1" } });
    const none = await waymark(["rollback", DEPLOYMENT, "--to", "no-such-name"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no version has that name");
  });

  it("refuses a deploy with IMAGE_DIGEST unset: exit 2, naming the variable and the field, creating nothing", async () => {
    const before = (await deploymentState()).versionCount;
    const run = await waymark(["deploy"], githubEnv(sha("d"), "104", null));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("deployments[0].work_pool.job_variables.image: environment variable IMAGE_DIGEST is not set");
    expect(run.stderr).toContain("nothing was deployed");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect((await deploymentState()).versionCount).toBe(before);
  });

  it("reports API errors with their code on one line (exit 3)", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["promote", DEPLOYMENT], /^waymark: ALREADY_LIVE: .+\n$/],
      [["rollback", "my-flow/unknown"], /^waymark: DEPLOYMENT_NOT_FOUND: no deployment my-flow\/unknown\n$/],
      [["rollback", DEPLOYMENT, "--expected-live", "ver_999999"], /^waymark: LIVE_VERSION_CONFLICT: .+\n$/],
      [["rollback", DEPLOYMENT, "--to", "99"], /^waymark: VERSION_NOT_FOUND: .+\n$/],
    ];
    for (const [args, stderr] of cases) {
      const run = await waymark(args);
      expect(run, args.join(" ")).toMatchObject({ code: 3, stdout: "" });
      expect(run.stderr).toMatch(stderr);
    }
    expect((await deploymentState()).liveVersion.number).toBe(3);
  });

  it("gives up on an unreachable server with one line (exit 1)", async () => {
    const port = await freePort();
    const run = await waymark(["history", DEPLOYMENT, "--api-url", `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`waymark: cannot reach http://127.0.0.1:${port}/graphql: connection refused\n`);
  });

  it("takes the URL without /graphql, and the key from --api-key or the environment", async () => {
    const bare = server.url.replace(/\/graphql$/, "");
    const fromEnv = await waymark(["history", DEPLOYMENT], { WAYMARK_API_URL: `${bare}/` });
    expect(fromEnv, fromEnv.stderr).toMatchObject({ code: 0 });
    expect(fromEnv.stdout).toContain("my-flow/my-deployment (id ");
    const fromFlag = await waymark(["history", DEPLOYMENT, "--api-url", bare, "--api-key", TEST_ADMIN_KEY], { WAYMARK_API_KEY: "" });
    expect(fromFlag, fromFlag.stderr).toMatchObject({ code: 0 });
  });

  it("reports a missing or wrong key on one line (exit 3)", async () => {
    const missing = await waymark(["history", DEPLOYMENT], { WAYMARK_API_KEY: "" });
    expect(missing).toMatchObject({ code: 3, stdout: "" });
    expect(missing.stderr).toMatch(/^waymark: UNAUTHENTICATED: .+\n$/);
    const wrong = await waymark(["deploy"], { ...githubEnv(sha("f"), "106", digest("6")), WAYMARK_API_KEY: `wm_${"x".repeat(32)}` });
    expect(wrong).toMatchObject({ code: 3 });
    expect(wrong.stderr).toMatch(/^waymark: UNAUTHENTICATED: .+\n$/);
    expect((await deploymentState()).versionCount).toBe(3);
  });

  it("prints source info as shell lines, and in $GITHUB_ENV's own syntax", async () => {
    const run = await waymark(["source-info", "--format", "env"], githubEnv(sha("e"), "105", null));
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "WAYMARK_SOURCE_TYPE='GITHUB'",
        `WAYMARK_COMMIT_SHA='${sha("e")}'`,
        "WAYMARK_BRANCH='main'",
        "WAYMARK_REPOSITORY='my-org/my-repo'",
        `WAYMARK_URL='https://github.com/my-org/my-repo/tree/${sha("e")}'`,
        "WAYMARK_VERSION='eeeeeeee'",
      ]),
    );
    const github = await waymark(["source-info", "--format", "github-env"], githubEnv(sha("e"), "105", null));
    expect(github.code).toBe(0);
    expect(github.stdout).toMatch(new RegExp(`^WAYMARK_COMMIT_SHA<<(ghadelimiter_[0-9a-f-]+)\\n${sha("e")}\\n\\1$`, "m"));
  });

  it("answers --help on every command", async () => {
    for (const command of [[], ["deploy"], ["source-info"], ["history"], ["rollback"], ["promote"]]) {
      const run = await waymark([...command, "--help"]);
      expect(run, command.join(" ")).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toContain("Usage: waymark");
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/run";
import { noGit } from "./fake-git";
import { data, fakeFetch, gqlError, type Reply } from "./fake-fetch";

const SHA = "4c3e2f1a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e";
const FILE = `
deployments:
- name: prod
  entrypoint: flows/etl.py:main_flow
  work_pool: { name: pool, job_variables: { image: "reg/img@{{ $IMAGE_DIGEST }}" } }
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The CLI in-process: a temp dir holding prefect.yaml as cwd, a scripted fetch, captured output. */
async function cli(argv: string[], replies: Reply[] = [], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), "waymark-cli-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "prefect.yaml"), FILE);
  const fetch = fakeFetch(...replies);
  let stdout = "";
  let stderr = "";
  const io = { env, cwd, fetch, git: noGit, sleep: async () => {}, stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
  const code = await run(argv, io);
  return { code, stdout, stderr, requests: fetch.requests };
}

const version = { id: "ver_2", number: 2, version: "4c3e2f1a" };
const payload = {
  deployment: { id: "dep_1", flowName: "main-flow", name: "prod", versionCount: 2, liveVersion: version },
  version: {
    ...version,
    isLive: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    createdBy: "anonymous",
    contentHash: "h",
    sourceInfo: { type: "GITHUB", version: "4c3e2f1a", commitSha: SHA, branch: "main", repository: "o/r", url: null, message: null },
    codePin: { commitSha: null, repository: null, imageDigest: `sha256:${"a".repeat(64)}`, pinned: true, warnings: [] },
  },
  change: { id: "chg_1", sequence: 3, kind: "CREATE", actor: "anonymous", reason: null, at: "x", previousVersion: null, liveVersion: version },
};
const github = { GITHUB_ACTIONS: "true", GITHUB_SHA: SHA, GITHUB_RUN_ID: "7", GITHUB_RUN_ATTEMPT: "1", IMAGE_DIGEST: `sha256:${"a".repeat(64)}` };
const deployment = { deploymentByName: { id: "dep_1", flowName: "etl", name: "prod", versionCount: 3, liveVersion: { id: "ver_3", number: 3, version: "c" } } };

describe("waymark deploy (in-process)", () => {
  it("sends source info and a CI idempotency key, and no version name when none is given", async () => {
    const { code, stdout, requests } = await cli(["deploy", "--api-url", "http://w.test"], [data({ createVersion: payload })], github);
    expect(code).toBe(0);
    expect(requests[0]?.url).toBe("http://w.test/graphql");
    const input = requests[0]?.body.variables.input as Record<string, unknown>;
    expect(input).toMatchObject({ flowName: "main-flow", name: "prod", sourceInfo: { type: "GITHUB", commitSha: SHA } });
    expect(input.idempotencyKey).toMatch(/^ci-github-7-1-/);
    expect(input).not.toHaveProperty("version");
    expect(stdout).toContain('Deployed main-flow/prod: version 2 "4c3e2f1a" (id ver_2)');
    expect(stdout).toMatch(/live: +yes/);
    expect(stdout).toMatch(/code: +pinned \(image sha256:a+\)/);
  });

  it("exits 2 naming the variable and the field, before any request", async () => {
    const { code, stderr, requests } = await cli(["deploy"], [], { GITHUB_ACTIONS: "true" });
    expect(code).toBe(2);
    expect(stderr).toContain("deployments[0].work_pool.job_variables.image: environment variable IMAGE_DIGEST is not set");
    expect(requests).toEqual([]);
  });

  it("exits 1 with one line when the server cannot be reached", async () => {
    const { code, stderr, requests } = await cli(["deploy", "--api-url", "http://w.test/"], [{ fail: "ECONNREFUSED" }], github);
    expect(code).toBe(1);
    expect(stderr).toBe("waymark: cannot reach http://w.test/graphql: connection refused\n");
    expect(requests).toHaveLength(5);
    expect(new Set(requests.map((r) => (r.body.variables.input as { idempotencyKey: string }).idempotencyKey)).size).toBe(1);
  });

  it("exits 3 with the code, naming the deployment", async () => {
    const { code, stderr } = await cli(["deploy"], [gqlError("IDEMPOTENCY_KEY_REUSED", "other input")], github);
    expect(code).toBe(3);
    expect(stderr).toBe("waymark: IDEMPOTENCY_KEY_REUSED: main-flow/prod: other input\n");
  });
});

describe("waymark rollback and promote (in-process)", () => {
  it("sends the number for digits, and the live version it saw as expectedLiveVersionId", async () => {
    const change = { ...payload.change, kind: "ROLLBACK", previousVersion: { id: "ver_3", number: 3, version: "c" } };
    const { code, stdout, requests } = await cli(["rollback", "etl/prod", "--to", "2", "--reason", "bad"], [data(deployment), data({ rollback: { change } })]);
    expect(code).toBe(0);
    expect(requests[1]?.body.variables.input).toEqual({
      deploymentId: "dep_1",
      number: 2,
      reason: "bad",
      expectedLiveVersionId: "ver_3",
      idempotencyKey: expect.stringMatching(/^cli-[0-9a-f-]{36}$/),
    });
    expect(stdout).toContain('Rolled back etl/prod: version 2 "4c3e2f1a" (id ver_2) is live, was version 3 "c"');
  });

  it("exits 2 listing the candidates when a name matches several versions", async () => {
    // The server resolves the name (target `name`) and lists the candidates in the refusal.
    const candidates = [
      { id: "ver_2", number: 2, version: "0.0.1", commitSha: null },
      { id: "ver_1", number: 1, version: "0.0.1", commitSha: null },
    ];
    const refused = { status: 200, json: { errors: [{ message: "2 versions are named", extensions: { code: "BAD_USER_INPUT", candidates } }], data: null } };
    const { code, stderr, requests } = await cli(["promote", "etl/prod", "--to", "0.0.1"], [data(deployment), refused]);
    expect(code).toBe(2);
    expect(stderr).toContain("version 2 (ver_2)");
    expect(stderr).toContain("version 1 (ver_1)");
    expect((requests[1]?.body.variables.input as { name?: string }).name).toBe("0.0.1");
    expect(requests).toHaveLength(2);
  });

  it("reports an unknown deployment as DEPLOYMENT_NOT_FOUND (exit 3)", async () => {
    const { code, stderr } = await cli(["history", "etl/none"], [data({ deploymentByName: null })]);
    expect(code).toBe(3);
    expect(stderr).toBe("waymark: DEPLOYMENT_NOT_FOUND: no deployment etl/none\n");
  });

  it("hints that a retried move may have applied when the compare-and-set then fails", async () => {
    const { code, stderr, requests } = await cli(
      ["promote", "etl/prod"],
      [data(deployment), { fail: "ECONNRESET" }, gqlError("LIVE_VERSION_CONFLICT", "moved")],
    );
    expect(code).toBe(3);
    // The retry carries the same idempotency key as the attempt whose answer was lost.
    const keyOf = (n: number) => (requests[n]?.body.variables.input as { idempotencyKey?: string } | undefined)?.idempotencyKey;
    expect(keyOf(2)).toMatch(/^cli-/);
    expect(keyOf(2)).toBe(keyOf(1));
    expect(stderr).toMatch(/^waymark: LIVE_VERSION_CONFLICT: moved \(the request was retried.*\)\n$/);
  });
});

describe("waymark usage", () => {
  it.each([[["--help"]], [["deploy", "--help"]], [["rollback", "--help"]], [["help", "history"]], [["--version"]]])("%j exits 0", async (argv) => {
    const { code, stdout } = await cli(argv);
    expect(code).toBe(0);
    expect(stdout).not.toBe("");
  });

  it.each([[["deploy", "--nope"]], [["history"]], [["frobnicate"]], [["history", "etl/prod", "--first", "x"]], [["source-info", "--format", "xml"]], [[]]])(
    "%j exits 2",
    async (argv) => {
      const { code, stderr } = await cli(argv);
      expect(code).toBe(2);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );

  it("prints source info as env lines", async () => {
    const { code, stdout } = await cli(["source-info", "--format", "env"], [], github);
    expect(code).toBe(0);
    expect(stdout).toContain(`WAYMARK_COMMIT_SHA='${SHA}'\n`);
    expect(stdout).toContain("WAYMARK_SOURCE_TYPE='GITHUB'\n");
  });
});

describe("waymark source-info --format github-env", () => {
  it("writes GitHub's delimited syntax, values unquoted, each with its own delimiter", async () => {
    const { code, stdout } = await cli(["source-info", "--format", "github-env"], [], { ...github, GITHUB_REF_NAME: "it's-main" });
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    const at = lines.indexOf(lines.find((l) => l.startsWith("WAYMARK_BRANCH<<")) ?? "");
    const delimiter = lines[at]?.slice("WAYMARK_BRANCH<<".length);
    expect(delimiter).toMatch(/^ghadelimiter_[0-9a-f-]{36}$/);
    expect(lines.slice(at + 1, at + 3)).toEqual(["it's-main", delimiter]);
    expect(stdout).toContain(`WAYMARK_COMMIT_SHA<<`);
    expect(stdout).toContain(`\n${SHA}\n`);
    expect(new Set(lines.filter((l) => l.includes("<<"))).size).toBe(7);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Run } from "../support/cli";
import { startServer, TEST_ADMIN_KEY, TEST_ADMIN_NAME, type TestServer } from "../support/server";

// docs/design.md, "Workspaces and API keys": `waymark keys create|list|revoke` and `waymark workspaces create` as a child
// process against a server on MariaDB; the keys they make are then used by the other commands.

const FILE = `
deployments:
- name: my-deployment
  entrypoint: example.py:my_flow
  work_pool:
    name: my-work-pool
    job_variables:
      image: "my-registry/my-image@{{ $IMAGE_DIGEST }}"
`;
const DEPLOYMENT = "my-flow/my-deployment";
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const KEY_LINE = /^ {2}(wm_[A-Za-z0-9_-]{20,})$/m;

describe("waymark keys and workspaces on mysql", () => {
  let server: TestServer;
  let dir: string;
  /** Every secret the CLI printed at creation, to check it is printed nowhere else. */
  const secrets: string[] = [];
  /** Every output of a run that was not a creation. */
  const otherOutputs: string[] = [];

  const waymark = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(server.url, dir, args, env);

  const json = async (args: string[], env: Record<string, string> = {}) => {
    const run = await waymark([...args, "--json"], env);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    return JSON.parse(run.stdout);
  };

  /** `keys create` in text form; returns the one secret it printed. */
  const createKey = async (name: string, scopes: string[], env: Record<string, string> = {}) => {
    const run = await waymark(["keys", "create", name, ...scopes.flatMap((s) => ["--scope", s])], env);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    const secret = KEY_LINE.exec(run.stdout)?.[1] ?? "";
    expect(secret).not.toBe("");
    expect(run.stdout.split(secret)).toHaveLength(2);
    expect(run.stdout).toContain("This is the only time the key is shown");
    secrets.push(secret);
    return { secret, stdout: run.stdout };
  };

  const deploy = (key: string, image: string) => waymark(["deploy"], { WAYMARK_API_KEY: key, IMAGE_DIGEST: digest(image) });

  beforeAll(async () => {
    server = await startServer("mysql");
    dir = mkdtempSync(join(tmpdir(), "waymark-cli-keys-e2e-"));
    writeFileSync(join(dir, "prefect.yaml"), FILE);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("creates a deploy-scoped key that deploys but may not roll back; list shows it without its secret; revoked, it stops", async () => {
    const first = await deploy(TEST_ADMIN_KEY, "1");
    expect(first, first.stderr).toMatchObject({ code: 0 });

    const { secret, stdout } = await createKey("ci-deployer", ["deploy"]);
    expect(stdout).toMatch(/^Created API key "ci-deployer" \(id (key_\d+); scopes deploy; prefix wm_\S+…\)\.$/m);
    const id = /\(id (key_\d+);/.exec(stdout)?.[1] ?? "";

    const deployed = await deploy(secret, "2");
    expect(deployed, deployed.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(deployed.stdout).toContain("Deployed my-flow/my-deployment: version 2");
    const history = await json(["history", DEPLOYMENT], { WAYMARK_API_KEY: secret });
    expect(history.versions.edges[0].node).toMatchObject({ number: 2, isLive: true, createdBy: "ci-deployer" });

    const rollback = await waymark(["rollback", DEPLOYMENT], { WAYMARK_API_KEY: secret });
    expect(rollback).toMatchObject({ code: 3, stdout: "" });
    expect(rollback.stderr).toMatch(/^waymark: FORBIDDEN: .+\n$/);
    expect((await json(["history", DEPLOYMENT])).liveVersion.number).toBe(2);

    const listed = await json(["keys", "list"]);
    const entry = listed.apiKeys.find((k: any) => k.id === id);
    expect(entry).toEqual({
      id,
      name: "ci-deployer",
      prefix: secret.slice(0, 10),
      scopes: ["deploy"],
      createdAt: expect.any(String),
      createdBy: TEST_ADMIN_NAME,
      revokedAt: null,
    });
    expect(listed.apiKeys.map((k: any) => k.name)).toContain(TEST_ADMIN_NAME);
    const text = await waymark(["keys", "list"]);
    expect(text, text.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(text.stdout).toMatch(new RegExp(`^ {2}${id} +ci-deployer +${secret.slice(0, 10)}… +deploy +\\S+ +${TEST_ADMIN_NAME} +-$`, "m"));
    expect(text.stdout).not.toContain(secret);

    const revoked = await waymark(["keys", "revoke", id]);
    expect(revoked, revoked.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(revoked.stdout).toMatch(new RegExp(`^Revoked API key "ci-deployer" \\(id ${id}; .+\\) at \\S+: it no longer works`));
    expect((await json(["keys", "list"])).apiKeys.find((k: any) => k.id === id).revokedAt).toEqual(expect.any(String));

    for (const args of [["deploy"], ["history", DEPLOYMENT]]) {
      const run = await waymark(args, { WAYMARK_API_KEY: secret, IMAGE_DIGEST: digest("3") });
      expect(run, args.join(" ")).toMatchObject({ code: 3, stdout: "" });
      expect(run.stderr).toMatch(/^waymark: UNAUTHENTICATED: .+\n$/);
    }
    expect((await json(["history", DEPLOYMENT])).versionCount).toBe(2);
  });

  it("refuses key management to a key without the admin scope (exit 3 FORBIDDEN)", async () => {
    const created = await json(["keys", "create", "ci-reader", "--scope", "read"]);
    expect(created).toMatchObject({ key: expect.stringMatching(/^wm_/), apiKey: { name: "ci-reader", scopes: ["read"], revokedAt: null } });
    secrets.push(created.key);
    const { secret: releaser } = await createKey("ci-releaser", ["release", "deploy"]);

    for (const key of [created.key, releaser]) {
      for (const args of [
        ["keys", "list"],
        ["keys", "create", "sneaky", "--scope", "admin"],
        ["keys", "revoke", created.apiKey.id],
        ["workspaces", "create", "sneaky"],
      ]) {
        const run = await waymark(args, { WAYMARK_API_KEY: key });
        expect(run, args.join(" ")).toMatchObject({ code: 3, stdout: "" });
        expect(run.stderr).toMatch(/^waymark: FORBIDDEN: .+\n$/);
      }
    }
    const names = (await json(["keys", "list"])).apiKeys.map((k: any) => k.name);
    expect(names).not.toContain("sneaky");
    expect((await json(["keys", "list"])).apiKeys.find((k: any) => k.id === created.apiKey.id).revokedAt).toBeNull();
  });

  it("creates a workspace whose admin key sees only that workspace", async () => {
    const run = await waymark(["workspaces", "create", "team-b"]);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^Created workspace "team-b" with its first admin key "team-b-admin" \(id key_\d+; scopes admin; prefix wm_\S+…\)\.$/m);
    expect(run.stdout).toContain("This is the only time the key is shown");
    const teamKey = KEY_LINE.exec(run.stdout)?.[1] ?? "";
    expect(run.stdout.split(teamKey)).toHaveLength(2);
    secrets.push(teamKey);

    const own = await json(["keys", "list"], { WAYMARK_API_KEY: teamKey });
    expect(own.apiKeys.map((k: any) => [k.name, k.scopes])).toEqual([["team-b-admin", ["admin"]]]);
    const other = await waymark(["history", DEPLOYMENT], { WAYMARK_API_KEY: teamKey });
    expect(other).toMatchObject({ code: 3 });
    expect(other.stderr).toMatch(/^waymark: DEPLOYMENT_NOT_FOUND: /);
    const nested = await waymark(["workspaces", "create", "team-c"], { WAYMARK_API_KEY: teamKey });
    expect(nested).toMatchObject({ code: 3 });
    expect(nested.stderr).toMatch(/^waymark: FORBIDDEN: /);

    const withJson = await json(["workspaces", "create", "team-d"]);
    expect(withJson).toMatchObject({ name: "team-d", key: expect.stringMatching(/^wm_/), apiKey: { name: "team-d-admin", scopes: ["admin"] } });
    secrets.push(withJson.key);
    const again = await waymark(["workspaces", "create", "team-d"]);
    expect(again).toMatchObject({ code: 3, stdout: "" });
    expect(again.stderr).toMatch(/^waymark: BAD_USER_INPUT: .*already exists\n$/);
  });

  it("printed no secret anywhere but its creation", () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const output of otherOutputs) for (const secret of secrets) expect(output).not.toContain(secret);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { CREATE_VERSION, PROMOTE, ROLLBACK, deploymentWithVersions } from "../support/operations";
import { subscribe } from "../support/subscriptions";
import { runCli } from "../support/cli";

// rollback and promote take an idempotencyKey with createVersion's rules: the same key and input
// answer with the first move (no second move, no second event); the same key with other input is
// IDEMPOTENCY_KEY_REUSED.

const HISTORY = `query($id: ID!) { deployment(id: $id) { liveVersion { number } liveHistory { totalCount edges { node { id kind } } } } }`;

describe.each(STORES)("idempotent pointer moves on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const state = async (id: string) =>
    (await server.gql(HISTORY, { id })).data.deployment as { liveVersion: { number: number }; liveHistory: { totalCount: number } };

  it("answers a repeated rollback with the first change, moving once and publishing once", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 3, "repeat");
    const live = await subscribe(server.url, { deploymentId });
    try {
      const input = { deploymentId, reason: "bad build", idempotencyKey: "rb-1" };
      const first = await server.gql(ROLLBACK, { input });
      expect(first.errors).toBeUndefined();
      const again = await server.gql(ROLLBACK, { input });
      expect(again.errors).toBeUndefined();
      expect(again.data.rollback.change).toEqual(first.data.rollback.change);
      expect(await state(deploymentId)).toMatchObject({ liveVersion: { number: 2 }, liveHistory: { totalCount: 4 } });
      // A move after the repeat is the next event: the repeat published nothing in between.
      const promoted = await server.gql(PROMOTE, { input: { deploymentId } });
      const events = await live.waitFor(2);
      expect(events.map((e) => e.id)).toEqual([first.data.rollback.change.id, promoted.data.promote.change.id]);
    } finally {
      await live.close();
    }
  });

  it("answers with the first change even after the pointer moved on, whatever expectedLiveVersionId says", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "later");
    const input = { deploymentId, number: 1, idempotencyKey: "later-1" };
    const first = await server.gql(ROLLBACK, { input: { ...input, expectedLiveVersionId: ids[3] } });
    expect(first.data.rollback.change.liveVersion.number).toBe(1);
    expect((await server.gql(PROMOTE, { input: { deploymentId } })).errors).toBeUndefined();
    const retry = await server.gql(ROLLBACK, { input: { ...input, expectedLiveVersionId: ids[3] } });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.rollback.change.id).toBe(first.data.rollback.change.id);
    expect(await state(deploymentId)).toMatchObject({ liveVersion: { number: 3 }, liveHistory: { totalCount: 5 } });
  });

  it("refuses the key with other input, with the other move, or after a createVersion, and moves nothing", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 3, "reuse");
    expect((await server.gql(ROLLBACK, { input: { deploymentId, idempotencyKey: "mv-1" } })).errors).toBeUndefined();
    const reused = [
      await server.gql(ROLLBACK, { input: { deploymentId, idempotencyKey: "mv-1", reason: "other" } }),
      await server.gql(ROLLBACK, { input: { deploymentId, idempotencyKey: "mv-1", number: 1 } }),
      await server.gql(PROMOTE, { input: { deploymentId, idempotencyKey: "mv-1" } }),
    ];
    for (const result of reused) expect(codes(result)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    await server.gql(CREATE_VERSION, { input: { deploymentId, entrypoint: "f.py:v4", idempotencyKey: "made-1" } });
    expect(codes(await server.gql(PROMOTE, { input: { deploymentId, idempotencyKey: "made-1" } }))).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await state(deploymentId)).toMatchObject({ liveVersion: { number: 4 }, liveHistory: { totalCount: 5 } });
  });

  it("moves exactly once when the same move races itself", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 3, "race");
    const attempts = await Promise.all(Array.from({ length: 8 }, () => server.gql(ROLLBACK, { input: { deploymentId, idempotencyKey: "race-1" } })));
    for (const attempt of attempts) expect(attempt.errors).toBeUndefined();
    expect(new Set(attempts.map((a) => a.data.rollback.change.id)).size).toBe(1);
    expect(await state(deploymentId)).toMatchObject({ liveVersion: { number: 2 }, liveHistory: { totalCount: 4 } });
  });

  it("keeps keys of different workspaces apart", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 2, "ws");
    const other = (await server.gql(`mutation { createWorkspace(input: { name: "move-other-${store}" }) { key } }`)).data.createWorkspace.key as string;
    const theirs = await deploymentWithVersions({ ...server, gql: (q, v) => server.gql(q, v, { authorization: `Bearer ${other}` }) }, 2, "ws");
    expect((await server.gql(ROLLBACK, { input: { deploymentId, idempotencyKey: "shared" } })).errors).toBeUndefined();
    const there = await server.gql(ROLLBACK, { input: { deploymentId: theirs.deploymentId, idempotencyKey: "shared" } }, { authorization: `Bearer ${other}` });
    expect(there.errors).toBeUndefined();
    expect(there.data.rollback.change.liveVersion.number).toBe(1);
  });
});

// The CLI sends a key: in CI one derived from the run, so a retried job step does not move again.
describe("waymark rollback and promote send an idempotency key (sqlite)", () => {
  let server: TestServer;
  let cwd: string;
  const github = { GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "4242", GITHUB_RUN_ATTEMPT: "1", GITHUB_REPOSITORY: "acme/etl", GITHUB_JOB: "release" };
  beforeAll(async () => {
    server = await startServer("sqlite");
    cwd = mkdtempSync(join(tmpdir(), "waymark-move-"));
  });
  afterAll(async () => {
    rmSync(cwd, { recursive: true, force: true });
    await server?.close();
  });

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const run = await runCli(server.url, cwd, [...args, "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { id: string; kind: string; liveVersion: { number: number } };
  };

  it("answers a repeated step of the same CI run with the first move", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 3, "cli", "ci-flow");
    const first = await cli(["rollback", "ci-flow/cli", "--reason", "bad"], github);
    const repeated = await cli(["rollback", "ci-flow/cli", "--reason", "bad"], github);
    expect(repeated).toEqual(first);
    expect(await state(deploymentId)).toMatchObject({ liveVersion: { number: 2 }, liveHistory: { totalCount: 4 } });
    // Another command, target or run is another move.
    expect((await cli(["promote", "ci-flow/cli"], github)).liveVersion.number).toBe(3);
    expect((await cli(["rollback", "ci-flow/cli", "--reason", "bad"], { ...github, GITHUB_RUN_ATTEMPT: "2" })).liveVersion.number).toBe(2);
    // Outside CI each invocation is its own request.
    expect((await cli(["rollback", "ci-flow/cli"])).liveVersion.number).toBe(1);
  });

  it("takes an explicit --idempotency-key", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 3, "explicit", "ci-flow");
    const first = await cli(["rollback", "ci-flow/explicit", "--idempotency-key", "ticket-7"]);
    expect(await cli(["rollback", "ci-flow/explicit", "--idempotency-key", "ticket-7"])).toEqual(first);
    expect((await state(deploymentId)).liveVersion.number).toBe(2);
  });

  const state = async (id: string) =>
    (await server.gql(HISTORY, { id })).data.deployment as { liveVersion: { number: number }; liveHistory: { totalCount: number } };
});

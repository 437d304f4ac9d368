import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { CHANGE_FIELDS, PROMOTE, deploymentWithVersions } from "../support/operations";
import { subscribe } from "../support/subscriptions";

// rollback and promote with dryRun: true run every check of the move, compare-and-set included,
// and answer with the change they would append and its diff, writing nothing and publishing nothing.

const DRY = `mutation($input: RollbackInput!) { rollback(input: $input) { change { ${CHANGE_FIELDS} diff { identical changes { path op before after } } } } }`;
const DRY_PROMOTE = `mutation($input: PromoteInput!) { promote(input: $input) { change { ${CHANGE_FIELDS} diff { changes { path } } } } }`;
const STATE = `query($id: ID!) { deployment(id: $id) { updatedAt liveVersion { number } liveHistory { totalCount } } }`;

describe.each(STORES)("dry-run moves on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());
  const state = async (id: string) => (await server.gql(STATE, { id })).data.deployment;

  it("answers the target and the diff from the live version, moving nothing and publishing nothing", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "dry");
    const before = await state(deploymentId);
    const live = await subscribe(server.url, { deploymentId });
    try {
      const result = await server.gql(DRY, { input: { deploymentId, reason: "check", dryRun: true, expectedLiveVersionId: ids[3] } });
      expect(result.errors).toBeUndefined();
      expect(result.data.rollback.change).toMatchObject({
        id: "chg_0",
        sequence: 0,
        kind: "ROLLBACK",
        reason: "check",
        previousVersion: { number: 3 },
        liveVersion: { id: ids[2], number: 2 },
        diff: { identical: false, changes: [{ path: "/entrypoint", op: "REPLACE", before: "flows/etl.py:v3", after: "flows/etl.py:v2" }] },
      });
      expect(await state(deploymentId)).toEqual(before);
      const real = await server.gql(PROMOTE, { input: { deploymentId, number: 3 } });
      expect(codes(real)).toEqual(["ALREADY_LIVE"]);
      const moved = await server.gql(DRY, { input: { deploymentId, number: 1 } });
      const events = await live.waitFor(1);
      expect(events.map((e) => e.id)).toEqual([moved.data.rollback.change.id]);
    } finally {
      await live.close();
    }
  });

  it("fails as the real move would: compare-and-set, direction, unknown target", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 2, "dry-checks");
    const dry = (input: Record<string, unknown>) => server.gql(DRY, { input: { deploymentId, dryRun: true, ...input } });
    expect(codes(await dry({ expectedLiveVersionId: ids[1] }))).toEqual(["LIVE_VERSION_CONFLICT"]);
    expect(codes(await dry({ number: 2 }))).toEqual(["ALREADY_LIVE"]);
    expect(codes(await dry({ number: 7 }))).toEqual(["VERSION_NOT_FOUND"]);
    expect(codes(await server.gql(DRY_PROMOTE, { input: { deploymentId, number: 1, dryRun: true } }))).toEqual(["NOT_NEWER_THAN_LIVE"]);
    expect((await state(deploymentId)).liveHistory.totalCount).toBe(2);
  });

  it("records nothing under its idempotency key: the real move that follows still moves, and its retry dry-runs to it", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 2, "dry-key");
    const input = { deploymentId, idempotencyKey: "dry-key-1" };
    expect((await server.gql(DRY, { input: { ...input, dryRun: true } })).data.rollback.change.id).toBe("chg_0");
    const real = await server.gql(DRY, { input });
    expect(real.data.rollback.change.id).not.toBe("chg_0");
    expect((await state(deploymentId)).liveVersion.number).toBe(1);
    expect((await server.gql(DRY, { input: { ...input, dryRun: true } })).data.rollback.change.id).toBe(real.data.rollback.change.id);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORES, codes, startServer, type TestServer } from "../support/server";
import { ROLLBACK, createVersion, deploymentWithVersions } from "../support/operations";
import { Pruner } from "../../src/retention/pruner";
import { createLogger } from "../../src/logger";

const SET = `mutation($input: SetDeploymentRetentionInput!) { setDeploymentRetention(input: $input) { deployment { id retention { keepLast keepDays } } } }`;
const VERSIONS = `query($id: ID!) { deployment(id: $id) { liveVersion { number prunedAt }
  versions(first: 100) { edges { node { number version contentHash createdBy entrypoint parameters pullSteps prunedAt sourceInfo { commitSha } } } }
  liveHistory(first: 100) { edges { node { kind previousVersion { number prunedAt } liveVersion { number prunedAt } } } } } }`;

describe.each(STORES)("retention on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store, { WAYMARK_RETENTION_INTERVAL_SECONDS: "0" })));
  afterAll(() => server?.close());

  it("prunes bodies outside keepLast, never the live version or the one live before it, leaving tombstones", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 6, "pruned", "retention");
    await server.gql(ROLLBACK, { input: { deploymentId, number: 4 } });
    const before = (await server.gql(VERSIONS, { id: deploymentId })).data.deployment;
    const ONE = `query($id: ID!) { deploymentVersion(id: $id) { entrypoint prunedAt } }`;
    const firstId = (await server.gql(`query($id: ID!) { deployment(id: $id) { versions(last: 1) { edges { node { id } } } } }`, { id: deploymentId })).data
      .deployment.versions.edges[0].node.id;
    expect((await server.gql(ONE, { id: firstId })).data.deploymentVersion.prunedAt).toBeNull(); // now in the version cache
    const set = await server.gql(SET, { input: { deploymentId, keepLast: 2 } });
    expect(set.data.setDeploymentRetention.deployment.retention).toEqual({ keepLast: 2, keepDays: null });
    expect((await server.app.pruner.runOnce()).prunedVersions).toBe(3);
    const after = (await server.gql(VERSIONS, { id: deploymentId })).data.deployment;
    const byNumber = (d: any) => new Map(d.versions.edges.map((e: any) => [e.node.number, e.node]));
    const [old, now] = [byNumber(before), byNumber(after)];
    for (const n of [1, 2, 3]) {
      const v: any = now.get(n);
      expect(v.prunedAt, `version ${n}`).toBeTruthy();
      const o: any = old.get(n);
      expect([v.version, v.contentHash, v.createdBy, v.sourceInfo]).toEqual([o.version, o.contentHash, o.createdBy, o.sourceInfo]);
      expect([v.entrypoint, v.parameters, v.pullSteps]).toEqual(["", {}, []]);
    }
    for (const n of [4, 5, 6]) expect(now.get(n)).toEqual(old.get(n));
    expect((await server.gql(ONE, { id: firstId })).data.deploymentVersion).toMatchObject({ entrypoint: "" });
    expect((await server.gql(ONE, { id: firstId })).data.deploymentVersion.prunedAt).toBeTruthy();
    expect(after.liveVersion).toEqual({ number: 4, prunedAt: null });
    // The live history still resolves every version, pruned ones shown as such.
    const moves = after.liveHistory.edges.map((e: any) => e.node);
    expect(moves.at(-2)).toMatchObject({ previousVersion: { number: 1 }, liveVersion: { number: 2 } });
    expect(moves.at(-2).previousVersion.prunedAt).toBeTruthy();
    expect((await server.app.pruner.runOnce()).prunedVersions).toBe(0);
    const log = await server.gql(`query($id: ID!) { auditLog(filter: { deploymentId: $id, kinds: [VERSIONS_PRUNED] }) { edges { node { actor details } } } }`, {
      id: deploymentId,
    });
    expect(log.data.auditLog.edges.map((e: any) => e.node)).toEqual([{ actor: "retention", details: { numbers: [1, 2, 3], keepLast: 2, keepDays: null } }]);
  });

  it("keeps versions younger than keepDays, and everything without retention", async () => {
    const young = await deploymentWithVersions(server, 4, "young", "retention");
    await server.gql(SET, { input: { deploymentId: young.deploymentId, keepLast: 1, keepDays: 1 } });
    const untouched = await deploymentWithVersions(server, 4, "untouched", "retention");
    await server.app.pruner.runOnce();
    for (const id of [young.deploymentId, untouched.deploymentId]) {
      const versions = (await server.gql(VERSIONS, { id })).data.deployment.versions.edges;
      expect(versions.every((e: any) => e.node.prunedAt === null)).toBe(true);
    }
  });

  it("lets one instance at a time run the pass", async () => {
    const other = new Pruner(server.app.db, () => new Date(), createLogger("silent"));
    // Another instance's pass under way: the lease names it and has not expired. (Two passes
    // merely started together may not overlap at all, the first ending before the second asks.)
    const lease = (holder: string, expiresAt: number) =>
      server.app.db.dataSource.query("UPDATE maintenance_lease SET holder = ?, expires_at = ? WHERE name = 'retention'", [holder, expiresAt]);
    await lease("another-instance", Date.now() + 600_000);
    expect((await server.app.pruner.runOnce()).ran).toBe(false);
    expect((await other.runOnce()).ran).toBe(false);
    // A holder that died: its lease runs out, and the next pass takes it over, then releases it.
    await lease("another-instance", Date.now() - 1);
    expect((await other.runOnce()).ran).toBe(true);
    expect((await server.app.pruner.runOnce()).ran).toBe(true);
    // Started together: at least one runs, and the lease is free again afterwards.
    const [a, b] = await Promise.all([server.app.pruner.runOnce(), other.runOnce()]);
    expect(a.ran || b.ran).toBe(true);
    expect((await other.runOnce()).ran).toBe(true);
  });

  it("expires idempotency records after the documented window", async () => {
    const first = await createVersion(server, { flowName: "retention", name: "keyed", idempotencyKey: "old-release" });
    expect((await createVersion(server, { flowName: "retention", name: "keyed", idempotencyKey: "old-release" })).version.id).toBe(first.version.id);
    await server.app.db.dataSource.query("UPDATE idempotency_key SET created_at = ? WHERE `key` = ?".replace(/`/g, store === "sqlite" ? '"' : "`"), [
      Date.now() - 31 * 86_400_000,
      "old-release",
    ]);
    expect((await server.app.pruner.runOnce()).expiredIdempotencyKeys).toBe(1);
    expect((await createVersion(server, { flowName: "retention", name: "keyed", idempotencyKey: "old-release" })).version.number).toBe(2);
  });

  it("needs admin and refuses bad limits", async () => {
    const { deployment } = await createVersion(server, { flowName: "retention", name: "guarded" });
    const key = (await server.gql(`mutation { createApiKey(input: { name: "deployer", scopes: [DEPLOY] }) { key } }`)).data.createApiKey.key;
    expect(codes(await server.gql(SET, { input: { deploymentId: deployment.id, keepLast: 3 } }, { authorization: `Bearer ${key}` }))).toEqual(["FORBIDDEN"]);
    expect(codes(await server.gql(SET, { input: { deploymentId: deployment.id, keepLast: 0 } }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await server.gql(SET, { input: { deploymentId: "dep_999999", keepLast: 3 } }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { TEST_ADMIN_NAME } from "../support/server";
import { DEPLOYMENT, PROMOTE, ROLLBACK, UPDATE_SETTINGS, createVersion, deploymentWithVersions } from "../support/operations";

// docs/design.md, "The live pointer" and "Rollback and promote": live on create, rollback only to older, promote only to newer, defaults.
describe.each(STORES)("live pointer on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const live = async (deploymentId: string) => ((await server.gql(DEPLOYMENT, { id: deploymentId })).data.deployment.liveVersion as { number: number }).number;

  it("makes every new version live at once, also when its content equals the live one's", async () => {
    const first = await createVersion(server, { flowName: "same", name: "a" });
    const second = await createVersion(server, { flowName: "same", name: "a" });
    expect(second.version.number).toBe(2);
    expect(second.version.contentHash).toBe(first.version.contentHash);
    expect(second.version.isLive).toBe(true);
    expect(second.change).toMatchObject({ kind: "CREATE", previousVersion: { id: first.version.id }, liveVersion: { number: 2 } });
    expect(first.change.previousVersion).toBeNull();
    expect(await live(first.deployment.id)).toBe(2);
  });

  it("rolls back to the newest older version by default, and promotes to the newest of all", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "defaults");
    const back = await server.gql(ROLLBACK, { input: { deploymentId, reason: "bad deploy" } });
    expect(back.data.rollback.change).toMatchObject({
      kind: "ROLLBACK",
      reason: "bad deploy",
      actor: TEST_ADMIN_NAME,
      previousVersion: { number: 3 },
      liveVersion: { id: ids[2] },
    });
    await server.gql(ROLLBACK, { input: { deploymentId } });
    expect(await live(deploymentId)).toBe(1);
    const forward = await server.gql(PROMOTE, { input: { deploymentId } });
    expect(forward.data.promote.change).toMatchObject({ kind: "PROMOTE", previousVersion: { number: 1 }, liveVersion: { number: 3 } });
  });

  it("targets a version by id or by number, and never copies or renumbers", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 4, "targets");
    expect((await server.gql(ROLLBACK, { input: { deploymentId, versionId: ids[1] } })).data.rollback.change.liveVersion.id).toBe(ids[1]);
    expect((await server.gql(PROMOTE, { input: { deploymentId, number: 3 } })).data.promote.change.liveVersion.id).toBe(ids[3]);
    const list = await server.gql(`query($id: ID!) { deployment(id: $id) { versionCount versions { edges { node { id number } } } } }`, { id: deploymentId });
    expect(list.data.deployment.versionCount).toBe(4);
    expect(list.data.deployment.versions.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
  });

  it("answers each wrong target with its own code", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "errors");
    const other = await createVersion(server, { flowName: "etl", name: "elsewhere" });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [ROLLBACK, { versionId: ids[3] }, "ALREADY_LIVE"],
      [PROMOTE, {}, "ALREADY_LIVE"],
      [PROMOTE, { number: 1 }, "NOT_NEWER_THAN_LIVE"],
      [ROLLBACK, { versionId: other.version.id }, "VERSION_NOT_FOUND"],
      [ROLLBACK, { number: 99 }, "VERSION_NOT_FOUND"],
      [ROLLBACK, { versionId: "ver_zzz" }, "VERSION_NOT_FOUND"],
      [ROLLBACK, { versionId: ids[1], number: 1 }, "BAD_USER_INPUT"],
    ];
    for (const [mutation, target, code] of cases) {
      expect(codes(await server.gql(mutation, { input: { deploymentId, ...target } })), `${code} ${JSON.stringify(target)}`).toEqual([code]);
    }
    await server.gql(ROLLBACK, { input: { deploymentId, number: 1 } });
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId } }))).toEqual(["VERSION_NOT_FOUND"]);
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId, number: 2 } }))).toEqual(["NOT_OLDER_THAN_LIVE"]);
    expect(codes(await server.gql(PROMOTE, { input: { deploymentId: "dep_999999" } }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId: ids[1] } }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect(await live(deploymentId)).toBe(1);
  });

  it("never lets rollback or promote touch the non-versioned settings", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 2, "settings");
    const settings = { paused: true, schedules: [{ cron: "0 * * * *" }], concurrencyLimit: 3, concurrencyOptions: { collisionStrategy: "CANCEL_NEW" } };
    expect((await server.gql(UPDATE_SETTINGS, { input: { deploymentId, ...settings } })).data.updateDeploymentSettings.deployment).toMatchObject(settings);
    await server.gql(ROLLBACK, { input: { deploymentId } });
    await server.gql(PROMOTE, { input: { deploymentId } });
    const after = (await server.gql(DEPLOYMENT, { id: deploymentId })).data.deployment;
    expect(after).toMatchObject({ ...settings, versionCount: 2 });
  });
});

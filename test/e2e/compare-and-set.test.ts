import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { CREATE_VERSION, DEPLOYMENT, PROMOTE, ROLLBACK, deploymentWithVersions } from "../support/operations";

// docs/design.md, "Compare-and-set": expectedLiveVersionId is a compare-and-set on every pointer move.
describe.each(STORES)("expectedLiveVersionId on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const state = async (id: string) =>
    (await server.gql(`query($id: ID!) { deployment(id: $id) { versionCount liveVersion { id } liveHistory { totalCount } } }`, { id })).data.deployment;

  it("moves the pointer when the expectation holds", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "holds");
    const back = await server.gql(ROLLBACK, { input: { deploymentId, expectedLiveVersionId: ids[3] } });
    expect(back.data.rollback.change.liveVersion.id).toBe(ids[2]);
    const forward = await server.gql(PROMOTE, { input: { deploymentId, expectedLiveVersionId: ids[2] } });
    expect(forward.data.promote.change.liveVersion.id).toBe(ids[3]);
    const created = await server.gql(CREATE_VERSION, { input: { deploymentId, entrypoint: "x.py:f", expectedLiveVersionId: ids[3] } });
    expect(created.data.createVersion.version.number).toBe(4);
  });

  it("changes nothing and names the current live version when it does not", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "conflict");
    const before = await state(deploymentId);
    for (const [mutation, input] of [
      [ROLLBACK, { deploymentId, expectedLiveVersionId: ids[1] }],
      [PROMOTE, { deploymentId, number: 3, expectedLiveVersionId: ids[2] }],
      [CREATE_VERSION, { deploymentId, entrypoint: "x.py:f", expectedLiveVersionId: ids[2] }],
      [CREATE_VERSION, { deploymentId, entrypoint: "x.py:f", expectedLiveVersionId: "garbage" }],
    ] as const) {
      const result = await server.gql(mutation, { input });
      expect(codes(result)).toEqual(["LIVE_VERSION_CONFLICT"]);
      expect(result.errors?.[0]?.extensions?.currentLiveVersionId).toBe(ids[3]);
    }
    expect(await state(deploymentId)).toEqual(before);
  });

  it("checks the expectation before the target, and creates no deployment on conflict", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 2, "order");
    // The target would be ALREADY_LIVE, but the caller's view is stale: that is what it must hear.
    expect(codes(await server.gql(PROMOTE, { input: { deploymentId, expectedLiveVersionId: ids[1] } }))).toEqual(["LIVE_VERSION_CONFLICT"]);
    const fresh = await server.gql(CREATE_VERSION, { input: { flowName: "cas", name: "brand-new", entrypoint: "x.py:f", expectedLiveVersionId: ids[1] } });
    expect(codes(fresh)).toEqual(["LIVE_VERSION_CONFLICT"]);
    expect(fresh.errors?.[0]?.extensions?.currentLiveVersionId).toBeNull();
    expect((await server.gql(`{ deploymentByName(flowName: "cas", name: "brand-new") { id } }`)).data.deploymentByName).toBeNull();
    expect((await server.gql(DEPLOYMENT, { id: deploymentId })).data.deployment.liveVersion.id).toBe(ids[2]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentWithVersions, ROLLBACK } from "../support/operations";
import { codes, startServer, STORES, type TestServer } from "../support/server";

const CAN = `query($id: ID!) { deployment(id: $id) { viewerCanRollback viewerCanPromote } }`;

// A button shown must work: a pinned or archived deployment refuses a plain move.
describe.each(STORES)("viewerCanRollback / viewerCanPromote on pinned and archived deployments (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(store);
  });
  afterAll(() => server?.close());

  const can = async (id: string) => (await server.gql(CAN, { id })).data.deployment;

  it("is false while pinned, as a plain move is refused, and true again once unpinned", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 3, "can-pin");
    await server.gql(ROLLBACK, { input: { deploymentId } });
    expect(await can(deploymentId)).toEqual({ viewerCanRollback: true, viewerCanPromote: true });
    expect((await server.gql(`mutation($i: PinLiveInput!) { pinLive(input: $i) { change { id } } }`, { i: { deploymentId } })).errors).toBeUndefined();
    expect(await can(deploymentId)).toEqual({ viewerCanRollback: false, viewerCanPromote: false });
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId } }))).toEqual(["DEPLOYMENT_PINNED"]);
    await server.gql(`mutation($i: UnpinLiveInput!) { unpinLive(input: $i) { change { id } } }`, { i: { deploymentId } });
    expect(await can(deploymentId)).toEqual({ viewerCanRollback: true, viewerCanPromote: true });
  });

  it("is false while archived, and true again once restored", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 2, "can-archive");
    const archived = await server.gql(`mutation($i: DeploymentLifecycleInput!) { archiveDeployment(input: $i) { deployment { id } } }`, {
      i: { deploymentId },
    });
    expect(archived.errors).toBeUndefined();
    expect(await can(deploymentId)).toEqual({ viewerCanRollback: false, viewerCanPromote: false });
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId } }))).toEqual(["DEPLOYMENT_ARCHIVED"]);
    await server.gql(`mutation($i: DeploymentLifecycleInput!) { restoreDeployment(input: $i) { deployment { id } } }`, { i: { deploymentId } });
    expect(await can(deploymentId)).toEqual({ viewerCanRollback: true, viewerCanPromote: false });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORES, TEST_ADMIN_NAME, startServer, type TestServer } from "../support/server";
import { PROMOTE, ROLLBACK, UPDATE_SETTINGS, createVersion, deploymentWithVersions } from "../support/operations";

const LIVE_AT = `query($id: ID!, $t: DateTime!) { deployment(id: $id) { liveAt(time: $t) { number } } }`;
const PERIODS = `query($id: ID!, $first: Int, $after: String) { deployment(id: $id) { livePeriods(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { version { number } from to startedBy endedBy startedByKind } } } } }`;

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe.each(STORES)("the live version at a point in time on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const liveAt = async (id: string, t: Date) => {
    const result = await server.gql(LIVE_AT, { id, t: t.toISOString() });
    expect(result.errors).toBeUndefined();
    return result.data.deployment.liveAt?.number ?? null;
  };

  it("answers the version live at each instant, and null before the first", async () => {
    const before = new Date(Date.now() - 1000);
    const { deploymentId } = await deploymentWithVersions(server, 3, "at");
    await tick();
    const afterThree = new Date();
    await tick();
    await server.gql(ROLLBACK, { input: { deploymentId, number: 1 } });
    await tick();
    const afterRollback = new Date();
    await tick();
    await server.gql(UPDATE_SETTINGS, { input: { deploymentId, paused: true } });
    await server.gql(PROMOTE, { input: { deploymentId, number: 2 } });
    expect(await liveAt(deploymentId, before)).toBeNull();
    expect(await liveAt(deploymentId, afterThree)).toBe(3);
    expect(await liveAt(deploymentId, afterRollback)).toBe(1);
    expect(await liveAt(deploymentId, new Date(Date.now() + 60_000))).toBe(2);
  });

  it("lists live periods newest first with who started and ended each, paged by cursor", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 2, "periods");
    await server.gql(ROLLBACK, { input: { deploymentId } });
    await server.gql(UPDATE_SETTINGS, { input: { deploymentId, paused: true } });
    const all = await server.gql(PERIODS, { id: deploymentId });
    const periods = all.data.deployment.livePeriods;
    expect(periods.totalCount).toBe(3);
    expect(periods.edges.map((e: any) => [e.node.version.number, e.node.startedByKind, e.node.startedBy, e.node.endedBy])).toEqual([
      [1, "ROLLBACK", TEST_ADMIN_NAME, null],
      [2, "CREATE", TEST_ADMIN_NAME, TEST_ADMIN_NAME],
      [1, "CREATE", TEST_ADMIN_NAME, TEST_ADMIN_NAME],
    ]);
    const nodes = periods.edges.map((e: any) => e.node);
    expect(nodes[0].to).toBeNull();
    expect(nodes[1].to).toBe(nodes[0].from);
    expect(nodes[2].to).toBe(nodes[1].from);
    // The same periods, one per page.
    const paged: any[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: any = (await server.gql(PERIODS, { id: deploymentId, first: 1, after })).data.deployment.livePeriods;
      paged.push(...page.edges.map((e: any) => e.node));
      expect(page.pageInfo.hasPreviousPage).toBe(i > 0);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(nodes);
  });

  it("keeps other workspaces' deployments out of reach", async () => {
    const { deployment } = await createVersion(server, { flowName: "at", name: "private" });
    const other = await server.gql(`mutation { createWorkspace(input: { name: "at-other" }) { key } }`);
    const result = await server.gql(LIVE_AT, { id: deployment.id, t: new Date().toISOString() }, { authorization: `Bearer ${other.data.createWorkspace.key}` });
    expect(result.data.deployment).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVersion, deploymentWithVersions, ROLLBACK } from "../support/operations";
import { codes, startServer, STORES, type TestServer } from "../support/server";

const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on Deployment { name } ... on DeploymentVersion { number } ... on LiveVersionChange { sequence } ... on ApiKey { name } } }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

// Relay refetches any object by its id alone; ids never reach across workspaces.
describe.each(STORES)("node(id:) and nodes(ids:) on %s", (store) => {
  let server: TestServer;
  let ids: { deployment: string; version: string; change: string; key: string };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    server = await startServer(store);
    const { deploymentId, ids: versionIds } = await deploymentWithVersions(server, 2, "relay", "node");
    const history = await server.gql(`query($id: ID!) { deployment(id: $id) { liveHistory(first: 1) { edges { node { id } } } } }`, { id: deploymentId });
    const keys = await server.gql(`{ apiKeys { id } }`);
    ids = { deployment: deploymentId, version: versionIds[1]!, change: history.data.deployment.liveHistory.edges[0].node.id, key: keys.data.apiKeys[0].id };
  });
  afterAll(() => server?.close());

  it("answers every Node type by its id", async () => {
    expect((await server.gql(NODE, { id: ids.deployment })).data.node).toEqual({ __typename: "Deployment", id: ids.deployment, name: "relay" });
    expect((await server.gql(NODE, { id: ids.version })).data.node).toEqual({ __typename: "DeploymentVersion", id: ids.version, number: 1 });
    expect((await server.gql(NODE, { id: ids.change })).data.node).toMatchObject({
      __typename: "LiveVersionChange",
      id: ids.change,
      sequence: expect.any(Number),
    });
    expect((await server.gql(NODE, { id: ids.key })).data.node).toMatchObject({ __typename: "ApiKey", id: ids.key });
  });

  it("answers null for unknown, malformed and other workspaces' ids", async () => {
    for (const id of ["dep_999999", "ver_0", "nonsense", "", "wsp_1", "chg_999999"]) {
      expect((await server.gql(NODE, { id })).data, id).toEqual({ node: null });
    }
    const other = (await server.gql(`mutation { createWorkspace(input: { name: "relay-other" }) { key } }`)).data.createWorkspace.key as string;
    for (const id of Object.values(ids)) {
      const answer = await server.gql(NODE, { id }, bearer(other));
      expect(answer.errors, id).toBeUndefined();
      expect(answer.data.node, id).toBeNull();
    }
    expect((await server.gql(NODES, { ids: Object.values(ids) }, bearer(other))).data.nodes).toEqual([null, null, null, null]);
  });

  it("keeps keys for admins: a read key gets null for an ApiKey id", async () => {
    const reader = (await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { name: "relay-reader", scopes: ["READ"] } }))
      .data.createApiKey.key as string;
    expect((await server.gql(NODE, { id: ids.key }, bearer(reader))).data.node).toBeNull();
    expect((await server.gql(NODE, { id: ids.deployment }, bearer(reader))).data.node.id).toBe(ids.deployment);
    expect(codes(await server.gql(NODE, { id: ids.deployment }, { authorization: "" }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("nodes(ids:) answers in the order asked, null in place, and refuses over 100 ids", async () => {
    const answer = await server.gql(NODES, { ids: [ids.version, "dep_999999", ids.deployment] });
    expect(answer.data.nodes).toEqual([{ __typename: "DeploymentVersion", id: ids.version }, null, { __typename: "Deployment", id: ids.deployment }]);
    expect(codes(await server.gql(NODES, { ids: Array.from({ length: 101 }, () => ids.deployment) }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("createVersion answers versionEdge, an edge of Deployment.versions whose cursor pages from it", async () => {
    const created = await server.gql(`mutation($input: CreateVersionInput!) { createVersion(input: $input) { versionEdge { cursor node { id number } } } }`, {
      input: { deploymentId: ids.deployment, entrypoint: "flows/etl.py:edge" },
    });
    const edge = created.data.createVersion.versionEdge;
    expect(edge.node.number).toBe(3);
    const first = await server.gql(`query($id: ID!) { deployment(id: $id) { versions(first: 1) { edges { cursor node { id } } } } }`, { id: ids.deployment });
    expect(first.data.deployment.versions.edges[0]).toEqual({ cursor: edge.cursor, node: { id: edge.node.id } });
    const after = await server.gql(`query($id: ID!, $c: String) { deployment(id: $id) { versions(first: 5, after: $c) { edges { node { number } } } } }`, {
      id: ids.deployment,
      c: edge.cursor,
    });
    expect(after.data.deployment.versions.edges.map((e: any) => e.node.number)).toEqual([2, 1]);
  });

  it("rollback answers { change, deployment } with the deployment after the move", async () => {
    const moved = await server.gql(ROLLBACK, { input: { deploymentId: ids.deployment } });
    expect(moved.errors).toBeUndefined();
    expect(moved.data.rollback.change.kind).toBe("ROLLBACK");
    expect(moved.data.rollback.deployment).toEqual({ id: ids.deployment, liveVersion: moved.data.rollback.change.liveVersion });
  });

  it("deployments and liveHistory page backwards with last/before", async () => {
    for (const name of ["b", "c"]) await createVersion(server, { flowName: "node", name });
    const LIST = `query($last: Int, $before: String) { deployments(last: $last, before: $before) { edges { cursor node { name } } pageInfo { hasPreviousPage hasNextPage } } }`;
    const tail = (await server.gql(LIST, { last: 2 })).data.deployments;
    expect(tail.edges.map((e: any) => e.node.name)).toEqual(["c", "relay"]);
    expect(tail.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: false });
    const before = (await server.gql(LIST, { last: 5, before: tail.edges[0].cursor })).data.deployments;
    expect(before.edges.map((e: any) => e.node.name)).toEqual(["b"]);
    const HISTORY = `query($id: ID!, $before: String) { deployment(id: $id) { liveHistory(last: 2, before: $before) { edges { cursor node { sequence } } } } }`;
    const oldest = (await server.gql(HISTORY, { id: ids.deployment })).data.deployment.liveHistory.edges;
    const all = (await server.gql(`query($id: ID!) { deployment(id: $id) { liveHistory(first: 10) { edges { node { sequence } } } } }`, { id: ids.deployment }))
      .data.deployment.liveHistory.edges;
    expect(oldest.map((e: any) => e.node.sequence)).toEqual(all.slice(-2).map((e: any) => e.node.sequence));
    const newer = (await server.gql(HISTORY, { id: ids.deployment, before: oldest[0].cursor })).data.deployment.liveHistory.edges;
    expect(newer.map((e: any) => e.node.sequence)).toEqual(all.slice(-4, -2).map((e: any) => e.node.sequence));
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentWithVersions } from "../support/operations";
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
});

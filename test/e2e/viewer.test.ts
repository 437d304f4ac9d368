import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentWithVersions, PROMOTE, ROLLBACK } from "../support/operations";
import { codes, startServer, STORES, TEST_ADMIN_NAME, type TestServer } from "../support/server";

const VIEWER = `{ viewer { keyName scopes workspace { id name } } }`;

// A frontend offers only what the key may do: any valid key may ask who it is, and learns nothing else.
describe.each(STORES)("viewer on %s", (store) => {
  let server: TestServer;
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const createKey = async (name: string, scopes: string[]) =>
    (await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { name, scopes } })).data.createApiKey.key as string;

  beforeAll(async () => {
    server = await startServer(store);
  });
  afterAll(() => server?.close());

  it("names the key, its effective scopes and its workspace", async () => {
    const admin = await server.gql(VIEWER);
    expect(admin.data.viewer).toEqual({
      keyName: TEST_ADMIN_NAME,
      scopes: ["READ", "DEPLOY", "RELEASE", "ADMIN"],
      workspace: { id: expect.stringMatching(/^wsp_\d+$/), name: expect.any(String) },
    });
    const workspace = admin.data.viewer.workspace;
    expect((await server.gql(VIEWER, {}, bearer(await createKey("reader", ["READ"])))).data.viewer).toEqual({ keyName: "reader", scopes: ["READ"], workspace });
    expect((await server.gql(VIEWER, {}, bearer(await createKey("oncall", ["RELEASE"])))).data.viewer).toEqual({
      keyName: "oncall",
      scopes: ["READ", "RELEASE"],
      workspace,
    });
    expect((await server.gql(VIEWER, {}, bearer(await createKey("ci", ["DEPLOY"])))).data.viewer.scopes).toEqual(["READ", "DEPLOY"]);
  });

  it("is another workspace for another workspace's key", async () => {
    const other = await server.gql(`mutation { createWorkspace(input: { name: "team-b" }) { key } }`);
    const viewer = (await server.gql(VIEWER, {}, bearer(other.data.createWorkspace.key))).data.viewer;
    expect(viewer.keyName).toBe("team-b-admin");
    expect(viewer.workspace.name).toBe("team-b");
    expect(viewer.workspace.id).not.toBe((await server.gql(VIEWER)).data.viewer.workspace.id);
  });

  it("needs a valid key", async () => {
    expect(codes(await server.gql(VIEWER, {}, { authorization: "" }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await server.gql(VIEWER, {}, bearer("wm_" + "x".repeat(43))))).toEqual(["UNAUTHENTICATED"]);
  });

  it("viewerCanRollback / viewerCanPromote: the scope and a version to move to", async () => {
    const CAN = `query($id: ID!) { deployment(id: $id) { viewerCanRollback viewerCanPromote } }`;
    const { deploymentId: single } = await deploymentWithVersions(server, 1, "single", "can");
    const { deploymentId: three } = await deploymentWithVersions(server, 3, "three", "can");
    const can = async (id: string, headers?: Record<string, string>) => (await server.gql(CAN, { id }, headers)).data.deployment;
    expect(await can(single)).toEqual({ viewerCanRollback: false, viewerCanPromote: false });
    expect(await can(three)).toEqual({ viewerCanRollback: true, viewerCanPromote: false });
    const rolled = await server.gql(ROLLBACK, { input: { deploymentId: three, number: 1 } });
    expect(rolled.errors).toBeUndefined();
    expect(await can(three)).toEqual({ viewerCanRollback: false, viewerCanPromote: true });
    expect((await server.gql(PROMOTE, { input: { deploymentId: three, number: 2 } })).errors).toBeUndefined();
    for (const scopes of [["READ"], ["DEPLOY"]]) {
      expect(await can(three, bearer(await createKey(`no-release-${scopes[0]!.toLowerCase()}`, scopes)))).toEqual({
        viewerCanRollback: false,
        viewerCanPromote: false,
      });
    }
    expect(await can(three, bearer(await createKey("oncall-2", ["RELEASE"])))).toEqual({ viewerCanRollback: true, viewerCanPromote: true });
  });

  it("describes DeploymentVersion.isLive as live now, not at the time of an event", async () => {
    const type = await server.gql(`{ __type(name: "DeploymentVersion") { fields { name description } } }`);
    const isLive = type.data.__type.fields.find((f: { name: string }) => f.name === "isLive");
    expect(isLive.description).toMatch(/live now, not at the time of an event/);
  });

  it("takes KeyScope values in upper case only", async () => {
    const create = (scopes: unknown) =>
      server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { scopes } } }`, { i: { name: "case", scopes } });
    expect((await create(["DEPLOY"])).data.createApiKey.apiKey.scopes).toEqual(["DEPLOY"]);
    expect(codes(await create(["deploy"]))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await server.gql(`mutation { createApiKey(input: { name: "case", scopes: [read] }) { key } }`))).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });
});

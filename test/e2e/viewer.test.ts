import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
      scopes: ["read", "deploy", "release", "admin"],
      workspace: { id: expect.stringMatching(/^wsp_\d+$/), name: expect.any(String) },
    });
    const workspace = admin.data.viewer.workspace;
    expect((await server.gql(VIEWER, {}, bearer(await createKey("reader", ["read"])))).data.viewer).toEqual({ keyName: "reader", scopes: ["read"], workspace });
    expect((await server.gql(VIEWER, {}, bearer(await createKey("oncall", ["release"])))).data.viewer).toEqual({
      keyName: "oncall",
      scopes: ["read", "release"],
      workspace,
    });
    expect((await server.gql(VIEWER, {}, bearer(await createKey("ci", ["deploy"])))).data.viewer.scopes).toEqual(["read", "deploy"]);
  });

  it("is another workspace for another workspace's key", async () => {
    const other = await server.gql(`mutation { createWorkspace(name: "team-b") { key } }`);
    const viewer = (await server.gql(VIEWER, {}, bearer(other.data.createWorkspace.key))).data.viewer;
    expect(viewer.keyName).toBe("team-b-admin");
    expect(viewer.workspace.name).toBe("team-b");
    expect(viewer.workspace.id).not.toBe((await server.gql(VIEWER)).data.viewer.workspace.id);
  });

  it("needs a valid key", async () => {
    expect(codes(await server.gql(VIEWER, {}, { authorization: "" }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await server.gql(VIEWER, {}, bearer("wm_" + "x".repeat(43))))).toEqual(["UNAUTHENTICATED"]);
  });
});

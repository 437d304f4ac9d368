import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORES, TEST_ADMIN_NAME, startServer, type TestServer } from "../support/server";
import { PROMOTE, ROLLBACK, UPDATE_SETTINGS, createVersion } from "../support/operations";

const AUDIT = `query($filter: AuditLogFilter, $first: Int, $after: String) { auditLog(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id kind at actor deploymentId flowName deploymentName versionId details settingsChanges { field } deployment { id } } } } }`;

interface Entry {
  kind: string;
  at: string;
  actor: string;
  deploymentId: string | null;
  flowName: string | null;
  deploymentName: string | null;
  versionId: string | null;
  details: any;
}

describe.each(STORES)("the workspace audit log on %s", (store) => {
  let server: TestServer;
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const log = async (filter: Record<string, unknown> = {}, first = 100, headers?: Record<string, string>): Promise<Entry[]> => {
    const result = await server.gql(AUDIT, { filter, first }, headers);
    expect(result.errors).toBeUndefined();
    return result.data.auditLog.edges.map((e: { node: Entry }) => e.node);
  };

  it("records creations, moves, settings and keys across deployments, newest first, with the actor from the key", async () => {
    const created = await server.gql(`mutation { createApiKey(input: { name: "ci-deployer", scopes: [ADMIN] }) { key apiKey { id } } }`);
    const ci = created.data.createApiKey;
    const one = await createVersion(server, { flowName: "audit-a", name: "prod" });
    const createTwo = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { id } deployment { id } } }`;
    const two = await server.gql(createTwo, { input: { flowName: "audit-a", name: "prod", entrypoint: "flows/a.py:main" } }, bearer(ci.key));
    await server.gql(ROLLBACK, { input: { deploymentId: one.deployment.id, reason: "bad" } }, bearer(ci.key));
    await server.gql(PROMOTE, { input: { deploymentId: one.deployment.id } });
    await server.gql(UPDATE_SETTINGS, { input: { deploymentId: one.deployment.id, paused: true } });
    await createVersion(server, { flowName: "audit-b", name: "prod" });
    await server.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: ci.apiKey.id });

    const entries = await log();
    expect(entries.slice(0, 8).map((e) => [e.kind, e.actor, e.flowName])).toEqual([
      ["API_KEY_REVOKED", TEST_ADMIN_NAME, null],
      ["VERSION_CREATED", TEST_ADMIN_NAME, "audit-b"],
      ["SETTINGS_CHANGED", TEST_ADMIN_NAME, "audit-a"],
      ["LIVE_MOVED", TEST_ADMIN_NAME, "audit-a"],
      ["LIVE_MOVED", "ci-deployer", "audit-a"],
      ["VERSION_CREATED", "ci-deployer", "audit-a"],
      ["VERSION_CREATED", TEST_ADMIN_NAME, "audit-a"],
      ["API_KEY_CREATED", TEST_ADMIN_NAME, null],
    ]);
    expect(entries[4]).toMatchObject({
      deploymentId: one.deployment.id,
      deploymentName: "prod",
      versionId: one.version.id,
      details: { direction: "ROLLBACK", fromNumber: 2, toNumber: 1, reason: "bad" },
    });
    expect(entries[5]).toMatchObject({ versionId: two.data.createVersion.version.id, details: { number: 2 } });
    expect(entries[0]!.details).toMatchObject({ keyId: ci.apiKey.id, name: "ci-deployer" });
    expect(JSON.stringify(entries)).not.toContain(ci.key);
    const times = entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("filters by deployment, flow, actor, kinds and time", async () => {
    const x = await createVersion(server, { flowName: "filter-x", name: "one" });
    await createVersion(server, { flowName: "filter-x", name: "two" });
    const middle = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await createVersion(server, { flowName: "filter-x", name: "one" });
    await server.gql(ROLLBACK, { input: { deploymentId: x.deployment.id } });
    expect((await log({ deploymentId: x.deployment.id })).map((e) => e.kind)).toEqual(["LIVE_MOVED", "VERSION_CREATED", "VERSION_CREATED"]);
    expect((await log({ flowName: "filter-x" })).map((e) => e.deploymentName)).toEqual(["one", "one", "two", "one"]);
    expect(await log({ flowName: "filter-x", kinds: ["LIVE_MOVED"] })).toHaveLength(1);
    expect((await log({ flowName: "filter-x", after: middle.toISOString() })).map((e) => e.kind)).toEqual(["LIVE_MOVED", "VERSION_CREATED"]);
    expect((await log({ flowName: "filter-x", before: middle.toISOString() })).map((e) => e.deploymentName)).toEqual(["two", "one"]);
    expect(await log({ flowName: "filter-x", actor: "someone-else" })).toEqual([]);
    expect(await log({ flowName: "filter-x", actor: TEST_ADMIN_NAME })).toHaveLength(4);
    expect(await log({ deploymentId: "ver_1" })).toEqual([]);
  });

  it("pages newest first by cursor without skipping or repeating, while entries are added", async () => {
    for (let i = 0; i < 7; i++) await createVersion(server, { flowName: "paged", name: `d${i % 2}` });
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const result: any = await server.gql(AUDIT, { filter: { flowName: "paged" }, first: 3, after });
      const connection = result.data.auditLog;
      expect(connection.totalCount).toBeGreaterThanOrEqual(7);
      seen.push(...connection.edges.map((e: { node: { id: string } }) => e.node.id));
      if (pages === 0) await createVersion(server, { flowName: "paged", name: "d0" }); // newer: not on later pages
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(codesOf(await server.gql(AUDIT, { first: 1, after: "bm90LWEtY3Vyc29y" }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("shows a workspace only its own entries, and needs a key", async () => {
    const other = await server.gql(`mutation { createWorkspace(input: { name: "audit-other" }) { key } }`);
    const key = other.data.createWorkspace.key as string;
    const theirs = await log({}, 100, bearer(key));
    expect(theirs.map((e) => e.kind)).toEqual(["API_KEY_CREATED"]);
    expect(theirs[0]!.actor).toBe(TEST_ADMIN_NAME);
    expect(await log({ flowName: "audit-a" }, 100, bearer(key))).toEqual([]);
    expect(codesOf(await server.gql(AUDIT, {}, { authorization: "" }))).toEqual(["UNAUTHENTICATED"]);
  });
});

const codesOf = (result: { errors?: Array<{ extensions?: { code?: string } }> }) => (result.errors ?? []).map((e) => e.extensions?.code);

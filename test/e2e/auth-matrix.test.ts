import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, postGraphQL, startServer, STORES, TEST_ADMIN_KEY, type GraphQLResult, type TestServer } from "../support/server";
import { createVersion } from "../support/operations";
import { registered, subscribe, wsClient } from "../support/subscriptions";

type Expect = "ok" | "null" | "empty" | string;
interface Operation {
  name: string;
  scope: "read" | "deploy" | "release" | "admin";
  run: (server: TestServer, headers: Record<string, string>) => Promise<GraphQLResult<any>>;
  /** What another workspace's admin gets: its own (empty) view, or a not-found code. */
  otherWorkspace: Expect;
}

// docs/design.md, "Workspaces and API keys": each operation, with each kind of caller, answers exactly one way.
describe.each(STORES)("who may do what on %s", (store) => {
  let server: TestServer;
  const keys: Record<string, string> = {};
  let deploymentId = "";
  let versionIds: string[] = [];
  let adminKeyId = "";
  const gql = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => postGraphQL(server.url, query, variables, headers);

  const createKey = async (name: string, scopes: string[]) => {
    const r = await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id name scopes } } }`, { i: { name, scopes } });
    return r.data.createApiKey as { key: string; apiKey: { id: string } };
  };

  beforeAll(async () => {
    server = await startServer(store);
    const { deployment, version } = await createVersion(server, { flowName: "auth", name: "target" });
    const second = await createVersion(server, { deploymentId: deployment.id });
    deploymentId = deployment.id;
    versionIds = [version.id, second.version.id];
    keys.read = (await createKey("reader", ["READ"])).key;
    keys.deploy = (await createKey("ci", ["DEPLOY"])).key;
    keys.release = (await createKey("oncall", ["RELEASE"])).key;
    keys.deployRelease = (await createKey("bot", ["DEPLOY", "RELEASE"])).key;
    const revoked = await createKey("gone", ["ADMIN"]);
    keys.revoked = revoked.key;
    expect(
      (await server.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`, { id: revoked.apiKey.id })).data.revokeApiKey.apiKey
        .revokedAt,
    ).toBeTruthy();
    const other = await server.gql(`mutation { createWorkspace(input: { name: "other-team" }) { name key apiKey { id } } }`);
    keys.other = other.data.createWorkspace.key;
    adminKeyId = (await server.gql(`{ apiKeys { id name } }`)).data.apiKeys.find((k: { name: string }) => k.name === "bootstrap-admin").id;
  });
  afterAll(() => server?.close());

  const operations: Operation[] = [
    {
      name: "deployment",
      scope: "read",
      otherWorkspace: "null",
      run: (_s, h) => gql(`query($id: ID!) { deployment(id: $id) { id } }`, { id: deploymentId }, h),
    },
    {
      name: "deploymentByName",
      scope: "read",
      otherWorkspace: "null",
      run: (_s, h) => gql(`{ deploymentByName(flowName: "auth", name: "target") { id } }`, {}, h),
    },
    { name: "deployments", scope: "read", otherWorkspace: "empty", run: (_s, h) => gql(`{ deployments { totalCount edges { node { id } } } }`, {}, h) },
    {
      name: "deploymentVersion",
      scope: "read",
      otherWorkspace: "null",
      run: (_s, h) => gql(`query($id: ID!) { deploymentVersion(id: $id) { id } }`, { id: versionIds[0] }, h),
    },
    {
      name: "createVersion",
      scope: "deploy",
      otherWorkspace: "DEPLOYMENT_NOT_FOUND",
      run: (_s, h) =>
        gql(`mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "a.py:f" }) { version { id } } }`, { id: deploymentId }, h),
    },
    {
      name: "updateDeploymentSettings",
      scope: "deploy",
      otherWorkspace: "DEPLOYMENT_NOT_FOUND",
      run: (_s, h) =>
        gql(`mutation($id: ID!) { updateDeploymentSettings(input: { deploymentId: $id, paused: false }) { deployment { id } } }`, { id: deploymentId }, h),
    },
    {
      name: "rollback",
      scope: "release",
      otherWorkspace: "DEPLOYMENT_NOT_FOUND",
      run: (_s, h) => gql(`mutation($id: ID!) { rollback(input: { deploymentId: $id }) { change { id } } }`, { id: deploymentId }, h),
    },
    {
      name: "promote",
      scope: "release",
      otherWorkspace: "DEPLOYMENT_NOT_FOUND",
      run: (_s, h) => gql(`mutation($id: ID!) { promote(input: { deploymentId: $id }) { change { id } } }`, { id: deploymentId }, h),
    },
    { name: "apiKeys", scope: "admin", otherWorkspace: "own-keys", run: (_s, h) => gql(`{ apiKeys { id name } }`, {}, h) },
    {
      name: "createApiKey",
      scope: "admin",
      otherWorkspace: "ok",
      run: (_s, h) => gql(`mutation { createApiKey(input: { name: "x", scopes: [READ] }) { apiKey { id } } }`, {}, h),
    },
    {
      name: "revokeApiKey",
      scope: "admin",
      otherWorkspace: "BAD_USER_INPUT",
      run: (_s, h) => gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: "key_999999" }, h),
    },
    {
      name: "createWorkspace",
      scope: "admin",
      otherWorkspace: "FORBIDDEN",
      run: (_s, h) => gql(`mutation { createWorkspace(input: { name: "w-${Math.random().toString(36).slice(2, 8)}" }) { name } }`, {}, h),
    },
  ];

  /** A key that has every scope but the one the operation needs, where such a key exists. */
  const lacking = (scope: Operation["scope"]) => ({ read: null, deploy: keys.release, release: keys.deploy, admin: keys.deployRelease })[scope];
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it.each(operations.map((o) => [o.name, o] as const))("%s: the exact answer for every caller", async (_name, op) => {
    const cases: Array<[string, Record<string, string>, Expect]> = [
      ["no key", { authorization: "" }, "UNAUTHENTICATED"],
      ["malformed key", { authorization: "Bearer not-a-key" }, "UNAUTHENTICATED"],
      ["not bearer", { authorization: `Basic ${TEST_ADMIN_KEY}` }, "UNAUTHENTICATED"],
      ["unknown key", bearer("wm_" + "x".repeat(43)), "UNAUTHENTICATED"],
      ["revoked key", bearer(keys.revoked!), "UNAUTHENTICATED"],
      ["another workspace's key", bearer(keys.other!), op.otherWorkspace],
      [
        "right key",
        bearer(op.scope === "admin" ? TEST_ADMIN_KEY : op.scope === "read" ? keys.read! : op.scope === "deploy" ? keys.deploy! : keys.release!),
        "ok",
      ],
    ];
    const without = lacking(op.scope);
    if (without) cases.push(["key without the scope", bearer(without), "FORBIDDEN"]);
    for (const [caller, headers, expected] of cases) {
      const result = await op.run(server, headers);
      const field = Object.values(result.data ?? {})[0] as any;
      const label = `${op.name} with ${caller}`;
      if (expected === "ok") {
        // rollback/promote may be refused by the rules once the pointer has moved; never by auth.
        expect(
          codes(result).filter((c) => ["UNAUTHENTICATED", "FORBIDDEN", "DEPLOYMENT_NOT_FOUND"].includes(String(c))),
          label,
        ).toEqual([]);
      } else if (expected === "null") {
        expect([result.errors, field], label).toEqual([undefined, null]);
      } else if (expected === "empty") {
        expect([result.errors, field], label).toEqual([undefined, { totalCount: 0, edges: [] }]);
      } else if (expected === "own-keys") {
        expect(result.errors, label).toBeUndefined();
        expect(
          (field as Array<{ id: string }>).map((k) => k.id),
          label,
        ).not.toContain(adminKeyId);
      } else {
        expect(codes(result), label).toEqual([expected]);
        expect(result.data?.[op.name] ?? null, label).toBeNull();
      }
    }
  });

  it("records the key's name as createdBy and actor, never anything from input", async () => {
    const created = await postGraphQL(
      server.url,
      `mutation { createVersion(input: { flowName: "auth", name: "who", entrypoint: "a.py:f" }) { version { createdBy } change { actor } } }`,
      {},
      bearer(keys.deploy!),
    );
    expect(created.data).toEqual({ createVersion: { version: { createdBy: "ci" }, change: { actor: "ci" } } });
  });

  it("confines subscriptions to the caller's workspace and checks the scope", async () => {
    const code = (s: { errors: unknown[] }) => (s.errors as Array<{ extensions?: { code?: string } }>).map((e) => e.extensions?.code);
    let anonymousClose = 0;
    const anonymous = await subscribe(
      server.url,
      {},
      undefined,
      wsClient(server.url, null, { closed: (event: { code: number }) => (anonymousClose = event.code) }),
    );
    const foreign = await subscribe(server.url, { deploymentId }, undefined, wsClient(server.url, keys.other!));
    const otherAll = await subscribe(server.url, {}, undefined, wsClient(server.url, keys.other!));
    const mine = await subscribe(server.url, { deploymentId }, undefined, wsClient(server.url, keys.read!));
    await registered(server, 2);
    await createVersion(server, { deploymentId });
    await mine.waitFor(1);
    await otherAll.settle(300);
    // A connection without a key is refused at connection_init.
    expect(anonymousClose).toBe(4403);
    expect(code(foreign)).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect(otherAll.events).toEqual([]);
    expect(mine.events.map((e) => e.deployment.id)).toEqual([deploymentId]);
    await Promise.all([anonymous, foreign, otherAll, mine].map((s) => s.close()));
  });

  it("stops a revoked key at once, closing its open subscriptions with 4403", async () => {
    const key = await createKey("short-lived", ["READ"]);
    let closed!: (code: number) => void;
    const closeCode = new Promise<number>((resolve) => (closed = resolve));
    const client = wsClient(server.url, key.key, { closed: (event: { code: number }) => closed(event.code) });
    const sub = await subscribe(server.url, { deploymentId }, undefined, client);
    await registered(server, 1);
    expect(sub.errors).toEqual([]);
    await server.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: key.apiKey.id });
    expect(await closeCode).toBe(4403);
    expect(codes(await postGraphQL(server.url, `{ deployments { totalCount } }`, {}, bearer(key.key)))).toEqual(["UNAUTHENTICATED"]);
    await client.dispose();
  });
});

describe("failed authentications", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite", { WAYMARK_AUTH_FAILURES_PER_MINUTE: "5" })));
  afterAll(() => server?.close());

  it("are limited per address: past the limit, failures are RATE_LIMITED", async () => {
    const wrong = { authorization: `Bearer wm_${"y".repeat(40)}` };
    for (let i = 0; i < 5; i++) expect(codes(await postGraphQL(server.url, `{ deployments { totalCount } }`, {}, wrong))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await postGraphQL(server.url, `{ deployments { totalCount } }`, {}, wrong))).toEqual(["RATE_LIMITED"]);
    expect(codes(await postGraphQL(server.url, `{ deployments { totalCount } }`, {}, { authorization: "" }))).toEqual(["RATE_LIMITED"]);
    // Only failures are refused: a valid key from the same address is never locked out.
    expect(codes(await postGraphQL(server.url, `{ deployments { totalCount } }`))).toEqual([]);
  });
});

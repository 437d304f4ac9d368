import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app";
import { createLogger } from "../../src/logger";
import { codes, postGraphQL, startServer, STORES, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { PROMOTE, ROLLBACK, UPDATE_SETTINGS, createVersion } from "../support/operations";

// History reads of one deployment are answered from a cache (src/cache/history-cache.ts) that
// is checked against a fresh read of the deployment row: it must never answer with an older live
// pointer, version list or settings than the database has, nor answer a caller it would refuse.
// A repeated read is answered before Apollo's pipeline, so these tests repeat each read first.

const HISTORY = `query H($id: ID!) {
  deployment(id: $id) {
    paused versionCount
    liveVersion { id number }
    versions(first: 3) { totalCount edges { node { id number isLive } } }
  }
}`;

const read = async (url: string, id: string) => {
  const result = await postGraphQL(url, HISTORY, { id });
  expect(result.errors).toBeUndefined();
  return (result.data as any).deployment as {
    paused: boolean;
    versionCount: number;
    liveVersion: { number: number };
    versions: { totalCount: number; edges: Array<{ node: { number: number; isLive: boolean } }> };
  };
};
/** How many reads the history cache answered so far, before Apollo's pipeline and inside it (from /metrics). */
const cachedAnswers = async (url: string) => {
  const text = await (await fetch(new URL("/metrics", url))).text();
  const count = (outcome: string) => Number(new RegExp(`^waymark_history_cache_total\\{outcome="${outcome}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  return { early: count("early"), hit: count("hit") };
};
const liveIn = (d: Awaited<ReturnType<typeof read>>) => d.versions.edges.filter((e) => e.node.isLive).map((e) => e.node.number);

describe.each(STORES)("cached history reads (%s)", (store) => {
  let server: TestServer;
  let id: string;
  beforeAll(async () => {
    server = await startServer(store);
    for (let n = 1; n <= 3; n++) id = (await createVersion(server, { flowName: "cache", name: "c", entrypoint: `f.py:v${n}` })).deployment.id;
  });
  afterAll(() => server?.close());

  it("follows every acknowledged change at once: rollback, promote, createVersion, settings", async () => {
    const before = await cachedAnswers(server.url);
    expect((await read(server.url, id)).liveVersion.number).toBe(3);
    await read(server.url, id);
    // The repeated read was answered from the cache, so what follows tests the cache.
    expect((await cachedAnswers(server.url)).early).toBe(before.early + 1);
    expect((await server.gql(ROLLBACK, { input: { deploymentId: id } })).errors).toBeUndefined();
    let now = await read(server.url, id);
    expect([now.liveVersion.number, liveIn(now)]).toEqual([2, [2]]);
    expect((await server.gql(PROMOTE, { input: { deploymentId: id } })).errors).toBeUndefined();
    now = await read(server.url, id);
    expect([now.liveVersion.number, liveIn(now)]).toEqual([3, [3]]);
    await createVersion(server, { deploymentId: id, entrypoint: "f.py:v4" });
    now = await read(server.url, id);
    expect([now.liveVersion.number, now.versionCount, now.versions.totalCount, now.versions.edges[0]!.node.number]).toEqual([4, 4, 4, 4]);
    expect((await server.gql(UPDATE_SETTINGS, { input: { deploymentId: id, paused: true } })).errors).toBeUndefined();
    expect((await read(server.url, id)).paused).toBe(true);
  });

  it("still refuses a caller without a valid key, and masks nothing differently", async () => {
    await read(server.url, id);
    const anonymous = await postGraphQL(server.url, HISTORY, { id }, { authorization: "" });
    expect(anonymous.data?.deployment ?? null).toBeNull();
    expect(codes(anonymous)).toEqual(["UNAUTHENTICATED"]);
    const bad = await postGraphQL(server.url, HISTORY, { id }, { authorization: "Bearer wm_not-a-key" });
    expect(codes(bad)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe.each(STORES)("history reads answered before Apollo's pipeline (%s)", (store) => {
  let server: TestServer;
  let id: string;
  const lines: string[] = [];
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const createKey = async (name: string, scopes: string[]) =>
    (await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }`, { i: { name, scopes } })).data.createApiKey as {
      key: string;
      apiKey: { id: string };
    };
  const post = (headers: Record<string, string>, body: unknown = { query: HISTORY, variables: { id } }) =>
    fetch(server.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const log = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
    server = await startServer(store, {}, log);
    for (let n = 1; n <= 2; n++) id = (await createVersion(server, { flowName: "early", name: "e", entrypoint: `f.py:v${n}` })).deployment.id;
  });
  afterAll(() => server?.close());

  it("answers a repeated read with the same bytes, and only callers the pipeline would answer", async () => {
    const reader = await createKey("early-reader", ["READ"]);
    const deployer = await createKey("early-ci", ["DEPLOY"]);
    const other = (await server.gql(`mutation { createWorkspace(input: { name: "early-other" }) { key } }`)).data.createWorkspace.key as string;
    const first = await (await post(bearer(reader.key))).text();
    const before = await cachedAnswers(server.url);
    for (let n = 0; n < 3; n++) expect(await (await post(bearer(reader.key))).text()).toBe(first);
    expect(JSON.parse(first).data.deployment.liveVersion.number).toBe(2);
    // The same bytes, and from the cache: these three never reached Apollo's pipeline.
    expect((await cachedAnswers(server.url)).early - before.early).toBe(3);

    const answer = async (headers: Record<string, string>) => (await post(headers)).json() as Promise<{ data?: any; errors?: any[] }>;
    const codesOf = (r: { errors?: any[] }) => (r.errors ?? []).map((e) => e.extensions?.code);
    expect(codesOf(await answer({}))).toEqual(["UNAUTHENTICATED"]);
    // deploy includes read (docs/design.md, "Workspaces and API keys"): the same answer.
    expect(JSON.stringify(await answer(bearer(deployer.key)))).toBe(first.trim());
    const elsewhere = await answer(bearer(other));
    expect([elsewhere.data?.deployment, elsewhere.errors]).toEqual([null, undefined]);
    expect(
      (await server.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`, { id: reader.apiKey.id })).errors,
    ).toBeUndefined();
    expect(codesOf(await answer(bearer(reader.key)))).toEqual(["UNAUTHENTICATED"]);
  });

  it("takes the pipeline for anything but the same plain request: variables, operation name, extensions, malformed fields", async () => {
    const json = async (response: Promise<Response>) => (await response).json() as Promise<any>;
    const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    await post(admin);
    const unknownId = await json(post(admin, { query: HISTORY, variables: { id: "dep_999999" } }));
    expect(unknownId.data.deployment).toBeNull();
    const wrongName = await json(post(admin, { query: HISTORY, variables: { id }, operationName: "Other" }));
    expect(wrongName.errors[0].extensions.code).toBe("BAD_REQUEST");
    const badVariables = await post(admin, { query: HISTORY, variables: [id] });
    expect(badVariables.status).toBe(400);
    // An operation name the document lacks is Apollo's error, cached answer or not, by either path.
    for (const accept of ["application/json", "application/json, */*;q=0.1"]) {
      for (let n = 0; n < 2; n++) {
        const unnamed = await json(post({ ...admin, accept }, { query: HISTORY, variables: { id }, operationName: "" }));
        expect([unnamed.data, unnamed.errors?.[0]?.extensions?.code]).toEqual([undefined, "BAD_REQUEST"]);
      }
    }
    const named = await json(post(admin, { query: HISTORY, variables: { id }, operationName: "H" }));
    expect(named.data.deployment.liveVersion.number).toBe(2);
    const persisted = await json(
      post(admin, { query: HISTORY, variables: { id }, extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }),
    );
    expect(persisted.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("sends the content type Apollo chooses for the Accept header, and logs the operation", async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    for (let n = 0; n < 2; n++) expect((await post(admin)).headers.get("content-type")).toBe("application/json; charset=utf-8");
    for (let n = 0; n < 2; n++) {
      const typed = await post({ ...admin, accept: "application/graphql-response+json" });
      expect([typed.status, typed.headers.get("content-type")]).toEqual([200, "application/graphql-response+json; charset=utf-8"]);
    }
    expect((await post({ ...admin, accept: "text/html" })).status).toBe(406);
    lines.length = 0;
    const response = await post({ ...admin, "x-request-id": "early-1" });
    expect(response.headers.get("x-request-id")).toBe("early-1");
    const logged = () => lines.map((line) => JSON.parse(line)).filter((entry) => entry.requestId === "early-1");
    await expect.poll(() => logged().length).toBe(1);
    expect(logged()[0]).toEqual(expect.objectContaining({ status: 200, operation: "H", type: "query" }));
  });
});

describe("cached history reads across two instances without Redis (mysql)", () => {
  let a: TestServer;
  let b: App;
  let bUrl: string;
  beforeAll(async () => {
    a = await startServer("mysql");
    b = await createApp({ config: a.config, logger: createLogger("silent") });
    bUrl = await b.listen();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("answers on A with the live version B has just acknowledged", async () => {
    let id = "";
    for (let n = 1; n <= 3; n++) id = (await createVersion(a, { flowName: "cache", name: "two", entrypoint: `f.py:v${n}` })).deployment.id;
    for (let round = 0; round < 5; round++) {
      await read(a.url, id);
      const moved = await postGraphQL(bUrl, round % 2 === 0 ? ROLLBACK : PROMOTE, { input: { deploymentId: id } });
      expect(moved.errors).toBeUndefined();
      const expected = round % 2 === 0 ? 2 : 3;
      const onA = await read(a.url, id);
      expect([onA.liveVersion.number, liveIn(onA)]).toEqual([expected, [expected]]);
    }
    expect((await cachedAnswers(a.url)).early).toBeGreaterThanOrEqual(4);
  });
});

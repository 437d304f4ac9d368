import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseConfig } from "../../src/config";
import { codes, freshDatabase, postGraphQL, startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { CREATE_VERSION, createVersion } from "../support/operations";
import { registered, subscribe, wsClient, wsUrl } from "../support/subscriptions";

// The WebSocket side of the server's limits: who may hold a connection, how many subscriptions
// one connection may hold, replays from a sequence that does not exist yet, and how soon a
// revoked key's subscription stops on an instance that learns of the revocation only from the
// database (no Redis).

/** Opens a raw graphql-ws socket, sends connection_init with `payload`, and resolves with how it ended: the close code, or "ack". */
async function connect(server: { url: string }, payload: Record<string, unknown>): Promise<number | "ack"> {
  const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const outcome = new Promise<number | "ack">((resolve) => {
    socket.once("close", (code) => resolve(code));
    socket.on("message", (data) => JSON.parse(String(data)).type === "connection_ack" && resolve("ack"));
  });
  socket.send(JSON.stringify({ type: "connection_init", payload }));
  const result = await Promise.race([outcome, new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 3_000))]);
  socket.terminate();
  if (result === "open") throw new Error("the server neither acknowledged nor closed the connection");
  return result;
}

/** A subscription's errors, whether they came in a result or (as graphql-ws hands over an `error` message) as one array. */
const errorsOf = (s: { errors: unknown[] }) => s.errors.flat() as Array<{ message: string; extensions?: { code?: string } }>;
const errorCodes = (s: { errors: unknown[] }) => errorsOf(s).map((e) => e.extensions?.code);

describe("graphql-ws connections and subscriptions under attack (sqlite)", () => {
  let server: TestServer;
  let deploymentId: string;
  let lastSequence: number;
  beforeAll(async () => {
    server = await startServer("sqlite", { WAYMARK_MAX_SUBSCRIPTIONS_PER_CONNECTION: "3" });
    const created = await createVersion(server, { flowName: "ws", name: "cap" });
    deploymentId = created.deployment.id;
    lastSequence = (await createVersion(server, { deploymentId })).change.sequence;
  });
  afterAll(() => server?.close());

  it("closes a connection_init without a valid key with 4403, and keeps HTTP introspection open without a key", async () => {
    expect(await connect(server, {})).toBe(4403);
    expect(await connect(server, { Authorization: "Bearer wm_not-a-key-0123456789abcdefghij" })).toBe(4403);
    expect(await connect(server, { Authorization: "garbage" })).toBe(4403);
    expect(await connect(server, { Authorization: `Bearer ${TEST_ADMIN_KEY}` })).toBe("ack");
    const introspection = await postGraphQL(server.url, `{ __schema { queryType { name } } }`, {}, { authorization: "" });
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("caps subscriptions per connection with a clean error, and frees a slot when one completes", async () => {
    expect(parseConfig({}).maxSubscriptionsPerConnection).toBe(100);
    const client = wsClient(server.url);
    const held = await Promise.all([1, 2, 3].map(() => subscribe(server.url, { deploymentId }, undefined, client)));
    await registered(server, 3);
    const refused = await subscribe(server.url, { deploymentId }, undefined, client);
    await refused.settle(300);
    expect(errorCodes(refused)).toEqual(["RATE_LIMITED"]);
    expect(errorsOf(refused)[0]!.message).toMatch(/at most 3 subscriptions/);
    // The refused one held nothing; the others still deliver.
    await createVersion(server, { deploymentId });
    for (const sub of held) expect((await sub.waitFor(1)).length).toBe(1);
    await held[0]!.close();
    const again = await subscribe(server.url, { deploymentId }, undefined, client);
    await registered(server, 3);
    expect(again.errors).toEqual([]);
    await Promise.all([...held, again].map((s) => s.close()));
    await client.dispose();
  });

  it("refuses afterSequence beyond the workspace's last sequence with BAD_USER_INPUT, and accepts the last one", async () => {
    const current = (await createVersion(server, { deploymentId })).change.sequence;
    expect(current).toBeGreaterThan(lastSequence);
    const beyond = await subscribe(server.url, { afterSequence: current + 1 });
    const far = await subscribe(server.url, { afterSequence: 1_000_000 });
    const atLast = await subscribe(server.url, { afterSequence: current });
    await beyond.settle(300);
    expect(errorCodes(beyond)).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(far)).toEqual(["BAD_USER_INPUT"]);
    expect(errorsOf(beyond)[0]!.message).toMatch(new RegExp(`last sequence is ${current}`));
    await registered(server, 1);
    const next = (await createVersion(server, { deploymentId })).change.sequence;
    expect((await atLast.waitFor(1)).map((e) => e.sequence)).toEqual([next]);
    expect(atLast.errors).toEqual([]);
    await Promise.all([beyond, far, atLast].map((s) => s.close()));
  });
});

describe("graphql-ws with WAYMARK_AUTH=off", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite", { WAYMARK_AUTH: "off" })));
  afterAll(() => server?.close());

  it("still acknowledges a connection_init without a key and delivers to it", async () => {
    expect(await connect(server, {})).toBe("ack");
    const client = wsClient(server.url, null);
    const sub = await subscribe(server.url, {}, undefined, client);
    await registered(server, 1);
    await postGraphQL(server.url, CREATE_VERSION, { input: { flowName: "off", name: "o", entrypoint: "a.py:f" } }, { authorization: "" });
    expect(await sub.waitFor(1)).toHaveLength(1);
    await sub.close();
    await client.dispose();
  });
});

describe("revocation across two instances without Redis (mysql)", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await freshDatabase("mysql");
    drop = database.drop;
    [a, b] = await Promise.all([startServerProcess({ DATABASE_URL: database.url }), startServerProcess({ DATABASE_URL: database.url })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
  });

  it("stops a key revoked on A from receiving B's events within 1 s, closing it with 4403", async () => {
    const created = await postGraphQL(a.url, CREATE_VERSION, { input: { flowName: "revoke", name: "r", entrypoint: "a.py:f" } });
    const deploymentId = (created.data as any).createVersion.deployment.id;
    const key = (await postGraphQL(a.url, `mutation { createApiKey(input: { name: "watcher", scopes: [READ] }) { key apiKey { id } } }`)).data as any;
    let closeCode = 0;
    const client = wsClient(b.url, key.createApiKey.key, { closed: (event: { code: number }) => (closeCode = event.code) });
    const sub = await subscribe(b.url, { deploymentId }, undefined, client);
    // Acknowledged is not yet listening: wait until a change made on B reaches it.
    await postGraphQL(b.url, CREATE_VERSION, { input: { deploymentId, entrypoint: "a.py:g" } });
    await sub.waitFor(1);
    const revoked = await postGraphQL(a.url, `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`, {
      id: key.createApiKey.apiKey.id,
    });
    expect(revoked.errors).toBeUndefined();
    // Past the bound, a change made on B itself (delivered locally, no Redis involved) must not reach it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await postGraphQL(b.url, CREATE_VERSION, { input: { deploymentId, entrypoint: "a.py:h" } });
    expect(after.errors).toBeUndefined();
    await sub.settle(500);
    expect(sub.events).toHaveLength(1);
    expect(closeCode).toBe(4403);
    expect(codes(await postGraphQL(b.url, `{ deployments { totalCount } }`, {}, { authorization: `Bearer ${key.createApiKey.key}` }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    await client.dispose();
  });
});

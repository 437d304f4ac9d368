import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import WebSocket from "ws";
import { adminHeaders, codes, postGraphQL, startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { CREATE_VERSION, createVersion } from "../support/operations";
import { wsUrl } from "../support/subscriptions";

interface Answer {
  status: number;
  codes: unknown[];
  text: string;
}
type Attack = [name: string, run: (s: TestServer) => Promise<Answer | number | "open">, expect: number | string | ((a: Answer) => void)];

async function raw(server: TestServer, body: string | Buffer, headers: Record<string, string> = {}, method = "POST", search = ""): Promise<Answer> {
  const response = await fetch(server.url + search, {
    method,
    headers: { "content-type": "application/json", ...adminHeaders, ...headers },
    body: method === "GET" ? undefined : body,
  });
  const text = await response.text();
  let parsed: { errors?: Array<{ extensions?: { code?: string } }> } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, codes: (parsed.errors ?? []).map((e) => e.extensions?.code), text };
}
const gql = (server: TestServer, query: string, variables?: Record<string, unknown>) => raw(server, JSON.stringify({ query, variables }));
/** A body streamed in chunks with no Content-Length, so only the running count can stop it. */
function chunked(server: TestServer, bytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", ...adminHeaders } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            codes: (JSON.parse(text).errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code),
            text,
          }),
        );
      },
    );
    req.on("error", reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const write = (left: number): void => {
      if (left <= 0 || req.destroyed) return void req.end();
      if (req.write(chunk)) write(left - chunk.length);
      else req.once("drain", () => write(left - chunk.length));
    };
    write(bytes);
  });
}
const nest = (depth: number, leaf: unknown = 1): unknown => (depth === 0 ? leaf : { a: nest(depth - 1, leaf) });

/** Opens a graphql-ws socket, sends `messages`, and resolves with the close code (or "open" if it stays open). */
async function wsClose(server: TestServer, messages: Array<string | Buffer>): Promise<number | "open"> {
  const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  for (const message of messages) socket.send(message);
  const result = await Promise.race([closed, new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 1_000))]);
  socket.terminate();
  return result;
}

const init = JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } });

const attacks: Attack[] = [
  [
    "depth bomb",
    (s) =>
      gql(
        s,
        `{ deployments { edges { node { versions { edges { node { deployment { versions { edges { node { deployment { liveHistory { edges { node { deployment { name } } } } } } } } } } } } } } } }`,
      ),
    "QUERY_TOO_COMPLEX",
  ],
  ["alias bomb", (s) => gql(s, `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: __typename`).join(" ")} }`), "QUERY_TOO_COMPLEX"],
  [
    "cost bomb: pages of pages",
    (s) => gql(s, `{ deployments(first: 100) { edges { node { versions(first: 100) { edges { node { id entrypoint tags labels } } } } } } }`),
    "QUERY_TOO_COMPLEX",
  ],
  [
    "fragment cycle",
    (s) => gql(s, `query { deployments { ...A } } fragment A on DeploymentConnection { ...B } fragment B on DeploymentConnection { ...A }`),
    "GRAPHQL_VALIDATION_FAILED",
  ],
  ["token bomb", (s) => gql(s, `{ ${"__typename ".repeat(30_000)} }`), "GRAPHQL_PARSE_FAILED"],
  ["10 MB body", (s) => raw(s, JSON.stringify({ query: "{ __typename }", pad: "x".repeat(10 * 1024 * 1024) })), "PAYLOAD_TOO_LARGE"],
  ["10 MB body, chunked without a length", (s) => chunked(s, 10 * 1024 * 1024), "PAYLOAD_TOO_LARGE"],
  [
    "deeply nested JSON variable",
    (s) => gql(s, CREATE_VERSION, { input: { flowName: "h", name: "n", entrypoint: "a:b", labels: nest(100) } }),
    "QUERY_TOO_COMPLEX",
  ],
  [
    "JSON nested far past any limit",
    (s) => raw(s, `{"query":"{ __typename }","variables":{"v":${"[".repeat(200_000)}${"]".repeat(200_000)}}}`),
    "QUERY_TOO_COMPLEX",
  ],
  ["huge string in a name", (s) => gql(s, CREATE_VERSION, { input: { flowName: "x".repeat(500_000), name: "n", entrypoint: "a:b" } }), "BAD_USER_INPUT"],
  [
    "huge JSON label",
    (s) => gql(s, CREATE_VERSION, { input: { flowName: "h", name: "n", entrypoint: "a:b", labels: { big: "x".repeat(300_000) } } }),
    "BAD_USER_INPUT",
  ],
  [
    "invalid UTF-8",
    (s) => raw(s, Buffer.concat([Buffer.from('{"query":"{ deployments { totalCount } }","x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])),
    "BAD_REQUEST",
  ],
  [
    "NUL and control characters in a name",
    (s) => gql(s, CREATE_VERSION, { input: { flowName: "a\u0000b", name: "n\u0007", entrypoint: "a:b" } }),
    "BAD_USER_INPUT",
  ],
  ["first: -1", (s) => gql(s, `{ deployments(first: -1) { totalCount } }`), "BAD_USER_INPUT"],
  ["first: 2^31-1", (s) => gql(s, `{ deployments(first: 2147483647) { totalCount } }`), "BAD_USER_INPUT"],
  ["first beyond Int", (s) => gql(s, `{ deployments(first: 99999999999) { totalCount } }`), "GRAPHQL_VALIDATION_FAILED"],
  ["first as a float variable", (s) => gql(s, `query($n: Int) { deployments(first: $n) { totalCount } }`, { n: 1.5 }), "BAD_USER_INPUT"],
  ["malformed cursor", (s) => gql(s, `{ deployments(after: "'; DROP TABLE deployment; --") { totalCount } }`), "BAD_USER_INPUT"],
  ["cursor of base64 garbage", (s) => gql(s, `{ deployments(after: "eyJhIjoxfQ") { totalCount } }`), "BAD_USER_INPUT"],
  ["text/plain POST (CSRF)", (s) => raw(s, "{ deployments { totalCount } }", { "content-type": "text/plain" }), "BAD_REQUEST"],
  ["form POST", (s) => raw(s, "query=%7B__typename%7D", { "content-type": "application/x-www-form-urlencoded" }), "BAD_REQUEST"],
  [
    "mutation over GET",
    (s) =>
      raw(
        s,
        "",
        { "apollo-require-preflight": "1" },
        "GET",
        `?query=${encodeURIComponent('mutation { promote(input: {deploymentId: "dep_1"}) { change { id } } }')}`,
      ),
    (a) => expect(a.status).toBe(405),
  ],
  ["batched operations", (s) => raw(s, JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }])), "BAD_REQUEST"],
  ["not JSON", (s) => raw(s, "{ this is not json"), "BAD_REQUEST"],
  ["empty body", (s) => raw(s, ""), "BAD_REQUEST"],
  ["variables as a list", (s) => raw(s, JSON.stringify({ query: "{ __typename }", variables: [1, 2] })), "BAD_REQUEST"],
  ["unknown operationName", (s) => raw(s, JSON.stringify({ query: "query A { __typename }", operationName: "B" })), (a) => expect(a.status).toBe(400)],
  [
    "16 KB Authorization header",
    (s) => raw(s, JSON.stringify({ query: "{ deployments { totalCount } }" }), { authorization: `Bearer wm_${"z".repeat(16_000)}` }),
    "UNAUTHENTICATED",
  ],
  [
    "very long ids",
    (s) => gql(s, `query($id: ID!) { deployment(id: $id) { id } deploymentVersion(id: $id) { id } }`, { id: `dep_${"9".repeat(5000)}` }),
    (a) => expect([a.status, a.codes]).toEqual([200, []]),
  ],
  [
    "__proto__ in a JSON value",
    (s) => gql(s, CREATE_VERSION, { input: JSON.parse('{"flowName":"h","name":"proto","entrypoint":"a:b","labels":{"__proto__":{"polluted":true}}}') }),
    (a) => {
      expect(a.codes).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  ],
  [
    "SQL metacharacters everywhere",
    (s) =>
      gql(s, CREATE_VERSION, {
        input: {
          flowName: `f'"; DROP TABLE deployment; --`,
          name: `n\\' OR '1'='1`,
          entrypoint: "x.py:`rm -rf`",
          description: "%_\\",
          tags: ["' OR 1=1 --"],
          version: "1'; --",
        },
      }),
    (a) => expect(a.codes).toEqual([]),
  ],
  ["malformed graphql-ws message", (s) => wsClose(s, ["{not json"]), 4400],
  [
    "graphql-ws subscribe before init",
    (s) => wsClose(s, [JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { liveVersionChanged { sequence } }" } })]),
    4401,
  ],
  [
    "flood of connection_init",
    (s) =>
      wsClose(
        s,
        Array.from({ length: 50 }, () => init),
      ),
    4429,
  ],
  ["graphql-ws message over the size limit", (s) => wsClose(s, [Buffer.alloc(2 * 1024 * 1024, 0x61)]), 1009],
  [
    "graphql-ws depth bomb",
    async (s) => {
      const socket = new WebSocket(wsUrl(s.url), "graphql-transport-ws");
      await new Promise((resolve) => socket.once("open", resolve));
      socket.send(init);
      await new Promise((resolve) => socket.once("message", resolve));
      const answer = new Promise<string>((resolve) => socket.once("message", (data) => resolve(String(data))));
      socket.send(
        JSON.stringify({
          id: "1",
          type: "subscribe",
          payload: {
            query: `subscription { liveVersionChanged { deployment { versions { edges { node { deployment { versions { edges { node { deployment { liveHistory { edges { node { id } } } } } } } } } } } } } }`,
          },
        }),
      );
      const message = JSON.parse(await answer);
      socket.terminate();
      return { status: 200, codes: (message.payload ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code), text: "" };
    },
    "QUERY_TOO_COMPLEX",
  ],
];

function check(name: string, answer: Answer | number | "open", expected: Attack[2]) {
  if (typeof expected === "function") return expected(answer as Answer);
  if (typeof expected === "number") return expect(answer, name).toBe(expected);
  expect((answer as Answer).codes, `${name}: ${(answer as Answer).text.slice(0, 300)}`).toEqual([expected]);
}

// docs/design.md, "Limits": every hostile request gets a clean error, and the server keeps answering.
describe("hostile requests", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("mysql")));
  afterAll(() => server?.close());

  it(`has at least 30 kinds of attack (${attacks.length})`, () => expect(attacks.length).toBeGreaterThanOrEqual(30));

  it.each(attacks.map((a) => [a[0], a] as const))("%s", async (name, [, run, expected]) => {
    const answer = await run(server);
    check(name, answer, expected);
    // A refusal is the client's fault: never a 5xx.
    if (typeof answer === "object") expect(answer.status, name).toBeLessThan(500);
    expect(codes(await postGraphQL(server.url, `{ deployments { totalCount } }`))).toEqual([]);
  });

  it("keeps its heap within bounds when every attack is repeated 20 times", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, "run vitest with --expose-gc (vitest.config.mts)").toBeTypeOf("function");
    const heap = () => {
      gc!();
      gc!();
      return process.memoryUsage().heapUsed;
    };
    for (const [, run] of attacks) await run(server); // warm up caches and pools
    const before = heap();
    for (let round = 0; round < 20; round++) for (const [, run] of attacks) await run(server);
    const grown = heap() - before;
    // Generous: a leak of even a few KB per attack would pass 20 × 37 requests; a retained body would not.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect((await createVersion(server, { flowName: "after", name: "storm" })).version.number).toBe(1);
    expect(server.app.live.hub.listenerCount).toBe(0);
  }, 240_000);
});

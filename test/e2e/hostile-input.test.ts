import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CREATE_VERSION, createVersion, DEPLOYMENT, UPDATE_SETTINGS } from "../support/operations";
import { codes, postGraphQL, startServer, STORES, TEST_ADMIN_KEY, type TestServer, capturedLog } from "../support/server";
import { wsUrl } from "../support/subscriptions";

/** POSTs a body exactly as given (JSON text the client's own serialiser could never write). */
async function rawPost(server: TestServer, body: string, headers: Record<string, string> = { authorization: `Bearer ${TEST_ADMIN_KEY}` }) {
  const response = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  const parsed = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: response.status, headers: response.headers, ...parsed, codes: (parsed.errors ?? []).map((e) => e.extensions?.code) };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const WRONG_KEY = `wm_${"q".repeat(43)}`;
const TOTAL = `{ deployments { totalCount } }`;

/** Opens a graphql-ws socket with `headers` on the upgrade, sends connection_init, and reports how it ended within a second. */
async function wsInit(server: TestServer, key: string, headers: Record<string, string> = {}): Promise<{ acked: boolean; closeCode: number | "open" }> {
  const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws", { headers });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let acked = false;
  socket.on("message", (data) => void (JSON.parse(String(data)).type === "connection_ack" && (acked = true)));
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${key}` } }));
  const closeCode = await Promise.race([closed, new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 1_000))]);
  socket.terminate();
  return { acked, closeCode };
}

describe("failed-auth limiting", () => {
  let direct: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    direct = await startServer("sqlite", { WAYMARK_AUTH_FAILURES_PER_MINUTE: "3" });
    proxied = await startServer("sqlite", { WAYMARK_AUTH_FAILURES_PER_MINUTE: "3", WAYMARK_TRUSTED_PROXIES: "loopback" });
  });
  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
  });

  const failUntilLimited = async (server: TestServer, headers: Record<string, string> = {}) => {
    for (let i = 0; i < 3; i++) expect(codes(await postGraphQL(server.url, TOTAL, {}, { ...headers, ...bearer(WRONG_KEY) }))).toEqual(["UNAUTHENTICATED"]);
  };

  it("refuses further failures with HTTP 429 and Retry-After, but never locks out a valid key", async () => {
    await failUntilLimited(direct);
    const refused = await rawPost(direct, JSON.stringify({ query: TOTAL }), bearer(WRONG_KEY));
    expect([refused.status, refused.codes]).toEqual([429, ["RATE_LIMITED"]]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((refused.errors?.[0]?.extensions as { retryAfterSeconds?: number }).retryAfterSeconds).toBe(Number(refused.headers.get("retry-after")));
    const valid = await postGraphQL(direct.url, TOTAL);
    expect([valid.status, valid.errors]).toEqual([200, undefined]);
  });

  it("ignores X-Forwarded-For unless the hop that sent it is a trusted proxy", async () => {
    // `direct` trusts no proxy: a forged header does not buy a fresh allowance.
    expect(codes(await postGraphQL(direct.url, TOTAL, {}, { "x-forwarded-for": "198.51.100.7", ...bearer(WRONG_KEY) }))).toEqual(["RATE_LIMITED"]);
    // Behind a trusted proxy, each client is limited on its own address.
    await failUntilLimited(proxied, { "x-forwarded-for": "203.0.113.1" });
    expect(codes(await postGraphQL(proxied.url, TOTAL, {}, { "x-forwarded-for": "203.0.113.1", ...bearer(WRONG_KEY) }))).toEqual(["RATE_LIMITED"]);
    expect(codes(await postGraphQL(proxied.url, TOTAL, {}, { "x-forwarded-for": "203.0.113.2", ...bearer(WRONG_KEY) }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await postGraphQL(proxied.url, TOTAL, {}, { "x-forwarded-for": "203.0.113.2, 127.0.0.1", ...bearer(WRONG_KEY) }))).toEqual([
      "UNAUTHENTICATED",
    ]);
  });

  it("counts an IPv6 client's failures across its /64, and an IPv4-mapped address as the IPv4 one", async () => {
    // Each guess from a fresh address of one /64, as any host there may pick (SLAAC privacy addresses).
    for (let i = 1; i <= 3; i++)
      expect(codes(await postGraphQL(proxied.url, TOTAL, {}, { "x-forwarded-for": `2001:db8:7:1::${i}`, ...bearer(WRONG_KEY) }))).toEqual(["UNAUTHENTICATED"]);
    const sameNetwork = { "x-forwarded-for": "2001:db8:7:1:ffff:1234:5678:9abc", ...bearer(WRONG_KEY) };
    expect(codes(await postGraphQL(proxied.url, TOTAL, {}, sameNetwork))).toEqual(["RATE_LIMITED"]);
    expect(codes(await postGraphQL(proxied.url, TOTAL, {}, { "x-forwarded-for": "2001:db8:7:2::1", ...bearer(WRONG_KEY) }))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await postGraphQL(proxied.url, TOTAL, {}, { "x-forwarded-for": "2001:db8:7:1::99" }))).toEqual([]);

    await failUntilLimited(proxied, { "x-forwarded-for": "::ffff:203.0.113.77" });
    expect(codes(await postGraphQL(proxied.url, TOTAL, {}, { "x-forwarded-for": "203.0.113.77", ...bearer(WRONG_KEY) }))).toEqual(["RATE_LIMITED"]);
  });

  it("closes a WebSocket refused for rate limiting with 4429, and still accepts a valid key from that address", async () => {
    const from = { "x-forwarded-for": "203.0.113.9" };
    await failUntilLimited(proxied, from);
    expect(await wsInit(proxied, WRONG_KEY, from)).toEqual({ acked: false, closeCode: 4429 });
    expect(await wsInit(proxied, TEST_ADMIN_KEY, from)).toEqual({ acked: true, closeCode: "open" });
  });
});

describe.each(STORES)("logs on %s", (store) => {
  let server: TestServer;
  const { lines, log } = capturedLog();
  beforeAll(async () => void (server = await startServer(store, {}, log)));
  afterAll(() => server?.close());

  /** Makes every INSERT of a version with this entrypoint fail inside the database. */
  async function failInsertsOf(entrypoint: string) {
    await server.app.db.dataSource.query(
      store === "sqlite"
        ? `CREATE TRIGGER refuse_boom BEFORE INSERT ON deployment_version WHEN NEW.entrypoint = '${entrypoint}' BEGIN SELECT RAISE(ABORT, 'refused by test'); END`
        : `ALTER TABLE deployment_version ADD CONSTRAINT refuse_boom CHECK (entrypoint <> '${entrypoint}')`,
    );
  }

  it("never carry bound SQL parameters or driver payloads, only the statement, code and errno", async () => {
    await failInsertsOf("boom.py:main");
    const secret = "s3cr3t-value-in-parameters";
    const result = await server.gql(CREATE_VERSION, {
      input: { flowName: "logs", name: "leak", entrypoint: "boom.py:main", parameters: { dbPassword: secret }, jobVariables: { env: { API: `${secret}-2` } } },
    });
    expect(codes(result)).toEqual(["INTERNAL_SERVER_ERROR"]);
    const text = lines.join("");
    expect(text).not.toContain(secret);
    const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "unexpected error");
    expect(logged?.err).toMatchObject({ statement: expect.stringMatching(/^INSERT INTO/), code: expect.any(String) });
    if (store === "mysql") expect(logged.err.errno).toEqual(expect.any(Number));
    for (const key of ["parameters", "driverError", "sql", "sqlMessage"]) expect(logged.err, key).not.toHaveProperty(key);
  });
});

describe("ill-formed input", () => {
  let server: TestServer;
  const { lines, log } = capturedLog();
  beforeAll(async () => void (server = await startServer("sqlite", {}, log)));
  afterAll(() => server?.close());

  const create = (input: string, accept = "application/graphql-response+json") =>
    rawPost(server, `{"query":${JSON.stringify(CREATE_VERSION)},"variables":{"input":${input}}}`, { ...bearer(TEST_ADMIN_KEY), accept });

  it("refuses non-finite numbers in JSON variables and inline literals, settings included", async () => {
    expect((await create(`{"flowName":"nf","name":"a","entrypoint":"a:b","parameters":{"x":1e400}}`)).codes).toEqual(["BAD_USER_INPUT"]);
    expect((await create(`{"flowName":"nf","name":"a","entrypoint":"a:b","labels":{"n":-1e999}}`)).codes).toEqual(["BAD_USER_INPUT"]);
    const inline = await server.gql(
      `mutation { createVersion(input: { flowName: "nf", name: "b", entrypoint: "a:b", parameters: { x: 1e400 } }) { version { id } } }`,
    );
    expect(codes(inline)).toEqual(["BAD_USER_INPUT"]);
    const { deployment } = await createVersion(server, { flowName: "nf", name: "settings", settings: { concurrencyOptions: { limit: 1 } } });
    const settings = await rawPost(
      server,
      `{"query":${JSON.stringify(UPDATE_SETTINGS)},"variables":{"input":{"deploymentId":"${deployment.id}","concurrencyOptions":{"limit":1e400}}}}`,
    );
    expect(settings.codes).toEqual(["BAD_USER_INPUT"]);
    const inlineSettings = await server.gql(
      `mutation { updateDeploymentSettings(input: { deploymentId: "${deployment.id}", schedules: [{ interval: 1e500 }] }) { deployment { id } } }`,
    );
    expect(codes(inlineSettings)).toEqual(["BAD_USER_INPUT"]);
    const after = await server.gql(DEPLOYMENT, { id: deployment.id });
    expect(after.data.deployment).toMatchObject({ concurrencyOptions: { limit: 1 }, schedules: [] });
  });

  it("refuses lone surrogates in any string, JSON key or JSON value instead of rewriting them", async () => {
    for (const input of [
      `{"flowName":"utf16","name":"a\\ud800","entrypoint":"a:b"}`,
      `{"flowName":"utf16","name":"a\\udc00","entrypoint":"a:b"}`,
      `{"flowName":"utf16","name":"ok","entrypoint":"a:b","labels":{"\\ud83d":"x"}}`,
      `{"flowName":"utf16","name":"ok","entrypoint":"a:b","parameters":{"deep":[{"v":"x\\udfff"}]}}`,
    ]) {
      // Refused alike whatever the media type; only the status follows GraphQL over HTTP's rule for it.
      const answer = await create(input);
      expect([answer.status, answer.codes], input).toEqual([400, ["BAD_USER_INPUT"]]);
      const plain = await create(input, "application/json");
      expect([plain.status, plain.codes], input).toEqual([200, ["BAD_USER_INPUT"]]);
    }
    const get = new URL(server.url);
    get.searchParams.set("query", `query($f: String!) { deploymentByName(flowName: $f, name: "x") { id } }`);
    get.searchParams.set("variables", `{"f":"x\\ud800"}`);
    const overGet = await fetch(get, { headers: { ...bearer(TEST_ADMIN_KEY), accept: "application/graphql-response+json" } });
    expect([overGet.status, ((await overGet.json()) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.map((e) => e.extensions?.code)]).toEqual(
      [400, ["BAD_USER_INPUT"]],
    );
    // A well-formed pair is a character like any other.
    expect((await create(`{"flowName":"utf16","name":"a\\ud83d\\ude00","entrypoint":"a:b"}`)).codes).toEqual([]);
    expect((await server.gql(`{ deployments { totalCount } }`)).data.deployments.totalCount).toBe(2);
  });

  it("refuses them over WebSocket too", async () => {
    const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    const messages: Array<{ type: string; payload?: Array<{ extensions?: { code?: string } }> }> = [];
    socket.on("message", (data) => void messages.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } }));
    await new Promise((resolve) => socket.once("message", resolve));
    socket.send(
      `{"id":"1","type":"subscribe","payload":{"query":"subscription($f: String) { liveVersionChanged(flowName: $f) { sequence } }","variables":{"f":"x\\ud800"}}}`,
    );
    const deadline = Date.now() + 5_000;
    while (messages.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    socket.terminate();
    expect(messages[1]?.type).toBe("error");
    expect(messages[1]?.payload?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  });

  it("answers a subscription sent over HTTP with BAD_REQUEST, key or not, and logs no stack", async () => {
    lines.length = 0;
    for (const headers of [{}, bearer(TEST_ADMIN_KEY)]) {
      const answer = await rawPost(server, JSON.stringify({ query: "subscription { liveVersionChanged { sequence } }" }), headers);
      expect([answer.status, answer.codes]).toEqual([400, ["BAD_REQUEST"]]);
      expect(answer.errors?.[0]?.message).toMatch(/subscriptions are served over WebSocket/);
    }
    expect(lines.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 40)).toEqual([]);
  });
});

/** Streams `bytes` of body on a raw socket; resolves with what the server answered and how much it let us send. */
function oversizedUpload(server: TestServer, declared: "length" | "chunked", bytes: number): Promise<{ head: string; sent: number }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let head = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after 20 s; ${socket.bytesWritten} bytes sent`));
    }, 20_000);
    socket.on("data", (chunk) => void (head += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ head, sent: socket.bytesWritten });
    });
    const framing = declared === "length" ? `content-length: ${bytes}` : "transfer-encoding: chunked";
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
    const block = Buffer.alloc(64 * 1024, 0x20);
    const piece = declared === "length" ? block : Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from("\r\n")]);
    let left = bytes;
    const pump = (): void => {
      while (left > 0 && !socket.destroyed) {
        left -= block.length;
        if (!socket.write(piece)) return void socket.once("drain", pump);
      }
      // Everything was accepted: a server that read it all must still end the exchange.
      if (!socket.destroyed) socket.end(declared === "chunked" ? "0\r\n\r\n" : "");
    };
    pump();
  });
}

describe("an oversized body", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite")));
  afterAll(() => server?.close());

  it.each(["length", "chunked"] as const)("is answered 413 with Connection: close, and the server stops reading (%s)", async (declared) => {
    const { head, sent } = await oversizedUpload(server, declared, 512 * 1024 * 1024);
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain("connection: close");
    // Socket buffers on both sides hold a few MB at most; a server still reading takes it all.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect(codes(await postGraphQL(server.url, TOTAL))).toEqual([]);
  });
});

describe("/metrics", () => {
  let server: TestServer;
  let guarded: TestServer;
  beforeAll(async () => {
    server = await startServer("sqlite");
    guarded = await startServer("sqlite", { WAYMARK_METRICS_TOKEN: "metrics-token-0123456789" });
  });
  afterAll(async () => {
    await server?.close();
    await guarded?.close();
  });

  it("labels only authenticated requests with their operation name", async () => {
    for (let i = 0; i < 3; i++) await postGraphQL(server.url, `query Junk${i} { __typename }`, {}, { authorization: "" });
    await postGraphQL(server.url, `query Junk9 { __typename }`, {}, bearer(WRONG_KEY));
    await postGraphQL(server.url, `query RealOne { __typename }`);
    const text = await (await fetch(new URL("/metrics", server.url))).text();
    expect(text).not.toMatch(/operation="Junk/);
    expect(text).toMatch(/waymark_graphql_requests_total\{operation="RealOne",type="query"\} 1/);
    expect(text).toMatch(/waymark_graphql_requests_total\{operation="unauthenticated",type="query"\} 4/);
  });

  it("asks for WAYMARK_METRICS_TOKEN as a bearer token when it is set", async () => {
    const metrics = new URL("/metrics", guarded.url);
    expect((await fetch(metrics)).status).toBe(401);
    expect((await fetch(metrics, { headers: bearer("metrics-token-wrong") })).status).toBe(401);
    const allowed = await fetch(metrics, { headers: bearer("metrics-token-0123456789") });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("waymark_graphql_requests_total");
  });
});

describe("secrets in pull steps", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite")));
  afterAll(() => server?.close());

  it.each([
    [{ git_clone: { repository: "https://github.com/o/r.git", Password: "hunter2" } }, "git_clone.Password"],
    [{ git_clone: { repository: "https://github.com/o/r.git", ACCESS_TOKEN: "ghp_x" } }, "git_clone.ACCESS_TOKEN"],
    [{ "acme.pull": { auth: { "access-token": "t" } } }, "acme.pull.auth.access-token"],
    [{ "acme.pull": { sources: [{ url: "s3://b", credentials: { key: "k" } }] } }, "acme.pull.sources[0].credentials"],
  ])("refuses %j", async (step, where) => {
    const result = await server.gql(CREATE_VERSION, { input: { flowName: "secrets", name: "x", entrypoint: "a:b", pullSteps: [step] } });
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.message).toContain(`pullSteps[0].${where} must be a {{ prefect.blocks.* }} placeholder`);
  });
});

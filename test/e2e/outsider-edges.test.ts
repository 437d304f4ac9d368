import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer, STORES, TEST_ADMIN_KEY, type TestServer, capturedLog } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { registered, subscribe, wsUrl } from "../support/subscriptions";
import { createVersion } from "../support/operations";

// Edges an outsider reaches with the README and the source in hand: the same ill-formed request
// sent over both transports, text cut at a limit, and lengths counted in characters.

const SHA_OF_TYPENAME = createHash("sha256").update("{ __typename }").digest("hex");

type Answer = { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** POSTs a raw JSON body (so that 1e400 and lone surrogate escapes reach the server as written). */
async function overHttp(server: TestServer, body: string): Promise<Answer> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "content-type": "application/json", accept: "application/graphql-response+json" },
    body,
  });
  return (await response.json()) as Answer;
}

/** Sends the same raw JSON as a graphql-ws subscribe payload; resolves with its result or its errors. */
async function overWebSocket(server: TestServer, payload: string): Promise<Answer> {
  const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
  try {
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
    const done = new Promise<void>((resolve, reject) => {
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
        messages.push(message);
        if (message.type === "connection_ack") socket.send(`{"id":"1","type":"subscribe","payload":${payload}}`);
        if (message.type === "complete" || message.type === "error") resolve();
      });
      socket.once("close", (code) => reject(new Error(`closed with ${code}`)));
      setTimeout(() => reject(new Error(`no answer in 5 s: ${JSON.stringify(messages)}`)), 5_000);
    });
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } }));
    await done;
    const error = messages.find((m) => m.type === "error");
    if (error) return { errors: error.payload as Answer["errors"] };
    return messages.find((m) => m.type === "next")!.payload as Answer;
  } finally {
    socket.terminate();
  }
}

describe("the same ill-formed request over HTTP and over graphql-ws", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite")));
  afterAll(() => server?.close());

  const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
  const requests: Array<[name: string, body: string]> = [
    ["a number too large in the variables", `{"query":"query($n: Int) { deployments(first: $n) { totalCount } }","variables":{"n":1e400}}`],
    ["a lone surrogate in a variable", `{"query":"query($f: String!) { deploymentByName(flowName: $f, name: \\"x\\") { id } }","variables":{"f":"x\\ud800"}}`],
    ["a lone surrogate in a comment of the query", `{"query":"{ __typename } # \\ud800"}`],
    ["a lone surrogate in a string literal of the query", `{"query":"{ deploymentByName(flowName: \\"\\ud800\\", name: \\"x\\") { id } }"}`],
    ["a lone surrogate in the operation name", `{"query":"query A { __typename }","operationName":"A\\ud800"}`],
    ["a number too large in the extensions", `{"query":"{ __typename }","extensions":{"x":1e400}}`],
    ["a number too large in the variables of a document that does not validate", `{"query":"{ nope }","variables":{"n":1e400}}`],
    ["an integer a double cannot hold exactly in the variables", `{"query":"{ __typename }","variables":{"p":{"id":9007199254740993}}}`],
    [
      "an integer a double cannot hold exactly in a JSON literal",
      `{"query":"mutation { createVersion(input: { flowName: \\"f\\", name: \\"n\\", entrypoint: \\"a:b\\", parameters: { id: 9007199254740993 } }) { version { id } } }"}`,
    ],
    ["an empty query", `{"query":""}`],
    ["an empty operation name", `{"query":"{ __typename }","operationName":""}`],
    ["variables nested too deep for a document that does not validate", `{"query":"query($v: [[Int]]) { __typename }","variables":{"v":${deep(50)}}}`],
    [
      "a persisted-query hash that is not the query's",
      `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"${"0".repeat(64)}"}}}`,
    ],
    ["a persisted-query version other than 1", `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":2,"sha256Hash":"${SHA_OF_TYPENAME}"}}}`],
  ];

  it.each(requests)("%s: the same errors on both", async (_name, body) => {
    const http = await overHttp(server, body);
    const ws = await overWebSocket(server, body);
    expect(http.errors?.length).toBeGreaterThan(0);
    expect(ws).toEqual(http);
  });

  it("answers a persisted-query hash sent without its query as not found on both, so that the client sends the query", async () => {
    const persisted = `"extensions":{"persistedQuery":{"version":1,"sha256Hash":"${SHA_OF_TYPENAME}"}}`;
    const http = await overHttp(server, `{${persisted}}`);
    expect(http.errors?.map((e) => e.message)).toEqual(["PersistedQueryNotFound"]);
    // graphql-ws requires a query string: a client with only the hash sends "".
    expect(await overWebSocket(server, `{"query":"",${persisted}}`)).toEqual(http);
    const answered = await overWebSocket(server, `{"query":"{ __typename }",${persisted}}`);
    expect(answered).toEqual({ data: { __typename: "Query" } });
  });
});

describe("errors that quote the client's text", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite")));
  afterAll(() => server?.close());

  it("never end in half a character where they cut it short, over HTTP and graphql-ws alike", async () => {
    const text = JSON.stringify(`${"a".repeat(99)}😀${"b".repeat(300)}`);
    for (const query of [
      "query($t: String) { deployments(after: $t) { totalCount } }",
      "query($t: ID!) { versionDiff(fromId: $t, toId: $t) { identical } }",
      "query($t: String) { auditLog(before: $t) { totalCount } }",
    ]) {
      const body = `{"query":${JSON.stringify(query)},"variables":{"t":${text}}}`;
      const http = await overHttp(server, body);
      const ws = await overWebSocket(server, body);
      expect(http.errors?.length, query).toBeGreaterThan(0);
      expect(ws, query).toEqual(http);
      // Each message, and each problem's, is well-formed text a strict JSON reader accepts.
      expect(JSON.stringify(http), query).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i);
    }
  });
});

describe("integers in JSON input", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite")));
  afterAll(() => server?.close());

  const CREATE = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { parameters } } }`;
  const body = (parameters: string) =>
    `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"flowName":"ints","name":"n","entrypoint":"a:b","parameters":${parameters}}}}`;

  it("refuses one a double cannot hold exactly instead of storing it rounded, and keeps the largest exact ones as sent", async () => {
    for (const parameters of [`{"id":9007199254740993}`, `{"ids":[1,-12345678901234567891]}`, `{"n":{"deep":100000000000000000001}}`]) {
      const refused = await overHttp(server, body(parameters));
      expect(
        refused.errors?.map((e) => e.extensions?.code),
        parameters,
      ).toEqual(["BAD_USER_INPUT"]);
      expect(refused.errors?.[0]?.message).toMatch(/cannot be kept exactly; send it as a string/);
    }
    const get = new URL(server.url);
    get.searchParams.set("query", `query($p: JSON) { __typename }`);
    get.searchParams.set("variables", `{"p":9007199254740993}`);
    const overGet = (await (await fetch(get, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).json()) as Answer;
    expect(overGet.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    // Exact ones, digits inside strings, and numbers written as doubles pass as they are.
    const kept = await overHttp(
      server,
      body(`{"max":9007199254740991,"min":-9007199254740991,"pow":9007199254740992,"sha":"12345678901234567890123","e":1e20,"f":0.5}`),
    );
    expect(kept.errors).toBeUndefined();
    expect(kept.data).toEqual({
      createVersion: {
        version: { parameters: { max: 9007199254740991, min: -9007199254740991, pow: 9007199254740992, sha: "12345678901234567890123", e: 1e20, f: 0.5 } },
      },
    });
  });
});

describe.each(STORES)("text the server cuts or counts (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const CREATE = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { id sourceInfo { message } } } }`;
  const READ = `query($id: ID!) { node(id: $id) { ... on DeploymentVersion { sourceInfo { message } } } }`;
  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

  it("cuts a long commit message between characters, never inside one, and reads back what it answered", async () => {
    const message = `${"a".repeat(999)}😀 and more`;
    const created = await server.gql(CREATE, { input: { flowName: "cut", name: "message", entrypoint: "a:b", sourceInfo: { commitSha: "abcdef1", message } } });
    expect(created.errors).toBeUndefined();
    const answered: string = created.data.createVersion.version.sourceInfo.message;
    expect(LONE_SURROGATE.test(answered)).toBe(false);
    expect(message.startsWith(answered)).toBe(true);
    const read = await server.gql(READ, { id: created.data.createVersion.version.id });
    expect(read.data.node.sourceInfo.message).toBe(answered);
  });

  const smile = (count: number) => "😀".repeat(count);
  const FULL = `mutation($input: CreateVersionInput!) { createVersion(input: $input) {
    deployment { flowName name }
    version { id version entrypoint description tags workPoolName workQueueName
      sourceInfo { version branch repository url message } }
  } }`;

  it("takes every string of createVersion at its limit in characters that take two UTF-16 units, and reads them back", async () => {
    const input = {
      flowName: smile(200),
      name: smile(200),
      entrypoint: smile(1000),
      description: smile(10_000),
      tags: [smile(200)],
      workPoolName: smile(200),
      workQueueName: smile(200),
      version: smile(200),
      idempotencyKey: smile(255),
      sourceInfo: { version: smile(200), branch: smile(255), repository: smile(500), url: `https://x/${smile(1990)}`, message: smile(1000) },
    };
    const created = await server.gql(FULL, { input });
    expect(created.errors).toBeUndefined();
    const { idempotencyKey: _key, flowName, name, ...stored } = input;
    const expected = { ...stored, sourceInfo: input.sourceInfo };
    expect(created.data.createVersion.deployment).toEqual({ flowName, name });
    expect(created.data.createVersion.version).toMatchObject(expected);
    const read = await server.gql(
      `query($id: ID!) { node(id: $id) { ... on DeploymentVersion { version entrypoint description tags workPoolName workQueueName sourceInfo { version branch repository url message } } } }`,
      {
        id: created.data.createVersion.version.id,
      },
    );
    expect(read.data.node).toEqual(expected);
  });

  it("finds by names at their limit in such characters, in lists, filters and the audit log", async () => {
    const named = { flowName: `f${smile(199)}`, name: smile(200) };
    await server.gql(FULL, { input: { ...named, entrypoint: "a:b" } });
    const FIND = `query($flow: String!, $name: String!) {
      deploymentByName(flowName: $flow, name: $name) { name }
      deployments(filter: { flowName: $flow, nameContains: $name }) { edges { node { name } } }
      auditLog(filter: { flowName: $flow, actor: $name }) { totalCount }
    }`;
    const found = await server.gql(FIND, { flow: named.flowName, name: named.name });
    expect(found.errors).toBeUndefined();
    expect(found.data.deploymentByName).toEqual({ name: named.name });
    expect(found.data.deployments.edges).toEqual([{ node: { name: named.name } }]);
    expect(found.data.auditLog.totalCount).toBe(0);
  });

  it("refuses one character more as BAD_USER_INPUT, naming the limit in characters", async () => {
    const refused = await server.gql(FULL, { input: { flowName: smile(201), name: "n", entrypoint: "a:b" } });
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    const named = await server.gql(`mutation($name: String!) { createApiKey(input: { name: $name, scopes: [READ] }) { apiKey { name } } }`, {
      name: smile(100),
    });
    expect(named.errors).toBeUndefined();
    expect(named.data.createApiKey.apiKey.name).toBe(smile(100));
  });

  it("moves, pins, flags and archives with a reason at its limit in such characters", async () => {
    const reason = smile(1000);
    const create = (commitSha: string) =>
      server.gql(FULL.replace("deployment {", "deployment { id"), { input: { flowName: "reasons", name: "r", entrypoint: `a:${commitSha}` } });
    const deploymentId: string = (await create("1")).data.createVersion.deployment.id;
    const versionId: string = (await create("2")).data.createVersion.version.id;
    const calls = [
      [`mutation($d: ID!, $r: String!) { rollback(input: { deploymentId: $d, reason: $r }) { change { reason } } }`, "rollback"],
      [`mutation($d: ID!, $r: String!) { pinLive(input: { deploymentId: $d, reason: $r }) { change { reason } } }`, "pinLive"],
      [`mutation($d: ID!, $r: String!) { unpinLive(input: { deploymentId: $d, reason: $r }) { change { reason } } }`, "unpinLive"],
    ] as const;
    for (const [mutation, field] of calls) {
      const moved = await server.gql(mutation, { d: deploymentId, r: reason });
      expect(moved.errors, field).toBeUndefined();
      expect(moved.data[field].change.reason, field).toBe(reason);
    }
    const flagged = await server.gql(`mutation($v: ID!, $r: String!) { flagVersion(input: { versionId: $v, status: BAD, reason: $r }) { flag { reason } } }`, {
      v: versionId,
      r: reason,
    });
    expect(flagged.errors).toBeUndefined();
    expect(flagged.data.flagVersion.flag.reason).toBe(reason);
    const archived = await server.gql(`mutation($d: ID!, $r: String!) { archiveDeployment(input: { deploymentId: $d, reason: $r }) { deployment { id } } }`, {
      d: deploymentId,
      r: reason,
    });
    expect(archived.errors).toBeUndefined();
    const history = await server.gql(`query($d: ID!) { deployment(id: $d) { pin { reason } liveHistory(first: 5) { edges { node { kind reason } } } } }`, {
      d: deploymentId,
    });
    expect(history.data.deployment.liveHistory.edges.map((e: { node: { kind: string; reason: string | null } }) => [e.node.kind, e.node.reason])).toEqual([
      ["UNPIN", reason],
      ["PIN", reason],
      ["ROLLBACK", reason],
      ["CREATE", null],
      ["CREATE", null],
    ]);
  });

  it("reads the history at any instant the DateTime scalar accepts, from year 0 to 9999", async () => {
    const { id } = (await server.gql(FULL.replace("deployment {", "deployment { id"), { input: { flowName: "times", name: "t", entrypoint: "a:b" } })).data
      .createVersion.deployment;
    const READ_AT = `query($id: ID!, $t: DateTime!) { deployment(id: $id) { liveAt(time: $t) { number } } auditLog(filter: { after: $t }) { totalCount } b: auditLog(filter: { before: $t }) { totalCount } }`;
    for (const [t, live] of [
      ["0000-01-01T00:00:00Z", null],
      ["1969-12-31T23:59:59.999Z", null],
      ["2000-01-01T00:00:00+23:59", null],
      ["9999-12-31T23:59:59.999Z", { number: 1 }],
    ] as const) {
      const read = await server.gql(READ_AT, { id, t });
      expect(read.errors, t).toBeUndefined();
      expect(read.data.deployment.liveAt, t).toEqual(live);
    }
  });

  it("creates a workspace at its longest name, or refuses the name itself, never its first key's", async () => {
    const CREATE_WORKSPACE = `mutation($name: String!) { createWorkspace(input: { name: $name }) { apiKey { name } } }`;
    const answers = [];
    for (let length = 90; length <= 101; length++) {
      const answer = await server.gql(CREATE_WORKSPACE, { name: `w${length}`.padEnd(length, "x") });
      answers.push(answer.errors ? answer.errors.map((e) => e.message).join("; ") : "created");
    }
    // Every name is created up to the limit and refused past it, by a message about the workspace's name.
    const created = answers.lastIndexOf("created");
    expect(created).toBeGreaterThanOrEqual(0);
    expect(answers.slice(0, created + 1).every((answer) => answer === "created")).toBe(true);
    expect(answers.slice(created + 1).length).toBeGreaterThan(0);
    for (const refusal of answers.slice(created + 1)) expect(refusal).toMatch(/^A workspace name is/);
  });
});

/**
 * Opens a raw connection that sends `head` at once, then one more byte (`drip`) every second, as
 * a slowloris does; resolves with what the server answered and when it closed the connection.
 */
function slowClient(server: TestServer, head: string, drip: string, giveUpMs: number): Promise<{ answer: string; closedAfterMs: number | null }> {
  const url = new URL(server.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = "";
    const timer = setInterval(() => socket.writable && socket.write(drip), 1_000);
    const giveUp = setTimeout(() => finish(null), giveUpMs);
    const finish = (closedAfterMs: number | null) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, closedAfterMs });
    };
    socket.on("data", (chunk) => void (answer += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => finish(Date.now() - started));
    socket.write(head.replace("HOST", url.host));
  });
}

describe("slow clients", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite")));
  afterAll(() => server?.close());

  it("answers 408 and closes a request whose headers or body never finish, within the stated bounds, while serving others", async () => {
    // A WebSocket is an HTTP request that has finished: the bounds never apply to it.
    const live = await subscribe(server.url);
    await registered(server, 1);
    const headers = slowClient(server, "POST /graphql HTTP/1.1\r\nhost: HOST\r\n", "x", 50_000);
    const body = slowClient(server, "POST /graphql HTTP/1.1\r\nhost: HOST\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{", " ", 50_000);
    const upgrade = slowClient(server, "GET /graphql HTTP/1.1\r\nhost: HOST\r\nupgrade: websocket\r\nconnection: upgrade\r\n", "x", 50_000);
    // Others are served meanwhile.
    for (let i = 0; i < 5; i++) {
      expect((await server.gql("{ lastLiveSequence }")).data).toEqual({ lastLiveSequence: 0 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    for (const [name, slow, boundMs] of [
      ["headers", await headers, 30_000],
      ["body", await body, 40_000],
      ["upgrade", await upgrade, 30_000],
    ] as const) {
      expect(slow.answer, name).toMatch(/^HTTP\/1\.1 408 /);
      expect(slow.closedAfterMs, name).not.toBeNull();
      expect(slow.closedAfterMs!, name).toBeLessThan(boundMs);
    }
    await createVersion(server, { flowName: "slow", name: "clients" });
    expect((await live.waitFor(1)).map((change) => change.kind)).toEqual(["CREATE"]);
    await live.close();
  }, 70_000);
});

/** Sends `request` as is on a new connection; resolves with everything the server sent back before closing. */
function rawExchange(url: string, request: string): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = "";
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (chunk) => void (answer += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(request);
  });
}

describe("request lines an outsider writes by hand (the built server)", () => {
  let server: ServerProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "waymark-outsider-"));
    server = await startServerProcess({ DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}` });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(["http://x:99999/graphql", "http://[::1/graphql", "http://a%zz/graphql"])(
    "answers a request for %s, whose URL does not parse, with 400 BAD_REQUEST and keeps serving",
    async (target) => {
      const answer = await rawExchange(server.url, `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toMatch(/^content-type: application\/json/im);
      expect(answer).toContain('"extensions":{"code":"BAD_REQUEST"}');
      const after = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: `{"query":"{ __typename }"}` });
      expect(await after.json()).toEqual({ data: { __typename: "Query" } });
    },
  );
});

describe("a client that goes away mid-request", () => {
  let server: TestServer;
  const { lines, log } = capturedLog();
  beforeAll(async () => void (server = await startServer("sqlite", {}, log)));
  afterAll(() => server?.close());

  it("is logged as an aborted request, not as an error with a stack", async () => {
    const { port, hostname } = new URL(server.url);
    for (let i = 0; i < 3; i++) {
      const socket = connect(Number(port), hostname);
      socket.on("error", () => undefined);
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write("POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{");
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
    }
    await expect.poll(() => lines.filter((line) => line.includes('"status":"aborted"')).length, { timeout: 5_000 }).toBe(3);
    expect(lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });
});

describe("graphql-ws limits an outsider meets before presenting a key", () => {
  let server: TestServer;
  const { lines, log } = capturedLog();
  beforeAll(async () => void (server = await startServer("sqlite", {}, log)));
  afterAll(() => server?.close());

  /** Opens a socket, sends `messages` (text, or a byte count for one oversized message), and resolves with its close code. */
  async function closeCode(messages: Array<string | number>): Promise<{ code: number; afterMs: number }> {
    const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    const started = Date.now();
    const closed = new Promise<{ code: number; afterMs: number }>((resolve) =>
      socket.once("close", (code) => resolve({ code, afterMs: Date.now() - started })),
    );
    for (const message of messages) socket.send(typeof message === "number" ? "x".repeat(message) : message);
    const timer = setTimeout(() => socket.terminate(), 10_000);
    const outcome = await closed;
    clearTimeout(timer);
    return outcome;
  }

  it("closes a socket that never sends connection_init, one that sends it twice, one that subscribes first, and an oversized message, each with its code", async () => {
    const init = JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    const subscribe = JSON.stringify({ id: "1", type: "subscribe", payload: { query: "{ __typename }" } });
    const [silent, twice, early, oversized] = await Promise.all([
      closeCode([]),
      closeCode([init, init]),
      closeCode([subscribe]),
      closeCode([init, server.config.maxBodyBytes + 1]),
    ]);
    expect(silent.code).toBe(4408);
    expect(silent.afterMs).toBeLessThan(6_000);
    expect(twice.code).toBe(4429);
    expect(early.code).toBe(4401);
    expect(oversized.code).toBe(1009);
    expect(lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });
});

describe("what one graphql-ws connection's subscriptions may hold", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("sqlite")));
  afterAll(() => server?.close());

  it("refuses a subscription past 1 MiB of text held by the connection's open ones, and frees room when one completes", async () => {
    const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    const answers = new Map<string, { type: string; payload?: Array<{ extensions?: { code?: string } }> }>();
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: string; type: string; payload?: never };
      if (message.id) answers.set(message.id, message);
    });
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } }));
    await new Promise((resolve) => socket.once("message", resolve));
    // A comment (no tokens) or a long id makes a valid subscription of any size up to the message limit.
    const padded = (id: string, kib: number) =>
      JSON.stringify({ id, type: "subscribe", payload: { query: `# ${"x".repeat(kib * 1024)}\nsubscription { liveVersionChanged { sequence } }` } });
    for (const id of ["a", "b", "c", "d"]) socket.send(padded(id, 240));
    socket.send(JSON.stringify({ id: "e".repeat(200 * 1024), type: "subscribe", payload: { query: "subscription { liveVersionChanged { sequence } }" } }));
    await expect.poll(() => answers.size, { timeout: 5_000 }).toBe(1);
    const refused = [...answers.entries()][0]!;
    expect(refused[0].length).toBe(200 * 1024);
    expect([refused[1].type, refused[1].payload?.map((e) => e.extensions?.code)]).toEqual(["error", ["RATE_LIMITED"]]);
    // The four others are held; completing one makes room again.
    socket.send(JSON.stringify({ id: "a", type: "complete" }));
    socket.send(padded("f", 200));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answers.has("f")).toBe(false);
    socket.terminate();
  });
});

describe("a client that asks before sending its body (Expect: 100-continue, as curl does past 1 MB)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer("sqlite");
  });
  afterAll(() => server?.close());

  /** Sends the headers alone and resolves with the server's first bytes (or "" if it says nothing within a second). */
  function ask(declared: number): Promise<{ first: string; send(body: string): Promise<string> }> {
    const { port, hostname } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    socket.on("error", () => undefined);
    let answer = "";
    socket.on("data", (chunk) => void (answer += chunk.toString("latin1")));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: Bearer ${TEST_ADMIN_KEY}\r\n` +
        `expect: 100-continue\r\ncontent-length: ${declared}\r\nconnection: close\r\n\r\n`,
    );
    return new Promise((resolve) => {
      const done = () => {
        const first = answer;
        answer = "";
        resolve({
          first,
          send: async (body) => {
            socket.write(body);
            await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
            socket.destroy();
            return answer;
          },
        });
      };
      const timer = setTimeout(done, 1_000);
      socket.once("data", () => {
        clearTimeout(timer);
        setTimeout(done, 100);
      });
    });
  }

  it("answers 413 before any of a body larger than the limit is sent, and 100 Continue to one that fits", async () => {
    const refused = await ask(2 * 1_048_576);
    expect(refused.first).toMatch(/^HTTP\/1\.1 413 /);
    expect(refused.first).toContain('"code":"PAYLOAD_TOO_LARGE"');

    const body = JSON.stringify({ query: "{ __typename }" });
    const accepted = await ask(Buffer.byteLength(body));
    expect(accepted.first).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    const answer = await accepted.send(body);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('{"data":{"__typename":"Query"}}');
  });
});

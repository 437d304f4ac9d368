import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { wsUrl } from "../support/subscriptions";

// Edges an outsider reaches with the README and the source in hand: the same ill-formed request
// sent over both transports, text cut at a limit, and lengths counted in characters.

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
    ["variables nested too deep for a document that does not validate", `{"query":"query($v: [[Int]]) { __typename }","variables":{"v":${deep(50)}}}`],
  ];

  it.each(requests)("%s: the same errors on both", async (_name, body) => {
    const http = await overHttp(server, body);
    const ws = await overWebSocket(server, body);
    expect(http.errors?.length).toBeGreaterThan(0);
    expect(ws).toEqual(http);
  });
});

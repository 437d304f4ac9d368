import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHeaders, startServer, TEST_ADMIN_KEY, type TestServer, capturedLog } from "../support/server";
import { wsUrl } from "../support/subscriptions";

// The same mistake gets the same error over HTTP and over graphql-ws: code, message, locations.
type Request = { query: string; variables?: Record<string, unknown>; operationName?: string };
type Mistake = [name: string, request: Request, codes: string[]];

const nested = (depth: number): string => (depth === 0 ? "id" : `versions { edges { node { deployment { ${nested(depth - 1)} } } } }`);

const mistakes: Mistake[] = [
  ["a syntax error", { query: "query { deployments {" }, ["GRAPHQL_PARSE_FAILED"]],
  ["a query past the token cap", { query: `{ ${"__typename ".repeat(30_000)} }` }, ["GRAPHQL_PARSE_FAILED"]],
  ["an unknown field", { query: "{ deployments { edges { node { id noSuchField } } } }" }, ["GRAPHQL_VALIDATION_FAILED"]],
  ["two unknown fields", { query: "{ nope1 nope2 }" }, ["GRAPHQL_VALIDATION_FAILED", "GRAPHQL_VALIDATION_FAILED"]],
  ["an argument literal of the wrong type", { query: `{ deployments(first: "ten") { totalCount } }` }, ["GRAPHQL_VALIDATION_FAILED"]],
  ["an unused variable", { query: "query($x: Int) { __typename }" }, ["GRAPHQL_VALIDATION_FAILED"]],
  ["a missing required variable", { query: "query D($id: ID!) { deployment(id: $id) { id } }", variables: {} }, ["BAD_USER_INPUT"]],
  ["a float for an Int variable", { query: "query($n: Int) { deployments(first: $n) { totalCount } }", variables: { n: 1.5 } }, ["BAD_USER_INPUT"]],
  [
    "two bad variables",
    { query: "query($n: Int, $m: Int) { a: deployments(first: $n) { totalCount } b: deployments(first: $m) { totalCount } }", variables: { n: "x", m: true } },
    ["BAD_USER_INPUT", "BAD_USER_INPUT"],
  ],
  [
    "an input object missing a required field",
    {
      query: "mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { id } } }",
      variables: { input: { flowName: "f", name: "n", nope: 1 } },
    },
    ["BAD_USER_INPUT", "BAD_USER_INPUT"],
  ],
  ["an unknown operation name", { query: "query A { __typename }", operationName: "B" }, ["BAD_REQUEST"]],
  ["two operations and no operation name", { query: "query A { __typename } query B { __typename }" }, ["BAD_REQUEST"]],
  ["a query too deep", { query: `{ deployments { edges { node { ${nested(6)} } } } }` }, ["QUERY_TOO_COMPLEX"]],
  ["a negative page size", { query: "{ deployments(first: -1) { totalCount } }" }, ["BAD_USER_INPUT"]],
  ["a malformed cursor", { query: `{ deployments(after: "'; DROP TABLE deployment; --") { totalCount } }` }, ["BAD_USER_INPUT"]],
];

type Answer = { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };

async function overHttp(url: string, request: Request): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...adminHeaders, "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify(request),
  });
  return (await response.json()) as Answer;
}

/** Runs one operation over graphql-ws: its result, or the errors of an `error` message. */
function overWebSocket(client: Client, request: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answer: Answer | null = null;
    client.subscribe(request, {
      next: (result) => void (answer = result as Answer),
      error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error instanceof Error ? error : new Error(JSON.stringify(error)))),
      complete: () => (answer ? resolve(answer) : reject(new Error("completed without a result"))),
    });
  });
}

describe("errors over HTTP and over graphql-ws", () => {
  let server: TestServer;
  let client: Client;
  const { lines, log } = capturedLog();

  beforeAll(async () => {
    server = await startServer("sqlite", { LOG_LEVEL: "warn" }, log);
    client = createClient({
      url: wsUrl(server.url),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { Authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
  });
  afterAll(async () => {
    await client?.dispose();
    await server?.close();
  });

  it.each(mistakes)("%s: the same codes and messages on both", async (_name, request, expected) => {
    const http = await overHttp(server.url, request);
    const ws = await overWebSocket(client, request);
    expect(http.errors?.map((error) => error.extensions?.code)).toEqual(expected);
    expect(ws.errors).toEqual(http.errors);
    expect(ws.data ?? null).toEqual(http.data ?? null);
  });

  it("logs none of these mistakes as an unexpected error", () => {
    expect(lines.filter((line) => /unexpected error|INTERNAL_SERVER_ERROR/.test(line))).toEqual([]);
  });
});

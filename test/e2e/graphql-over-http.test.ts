import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { adminHeaders } from "../support/server";

// GraphQL over HTTP (graphql.github.io/graphql-over-http), against the built server in production
// mode as `npm start` runs it: graphql-http's server audit, and what it leaves to the server.
let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "waymark-gql-http-"));
  server = await startServerProcess({ NODE_ENV: "production", DATABASE_URL: `sqlite:${join(dir, "waymark.sqlite")}` });
});
afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** fetch with the admin key added, as a real client's requests carry it. */
const withKey = (input: string | URL, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  headers.set("authorization", adminHeaders.authorization);
  return fetch(input, { ...init, headers });
};

describe("graphql-http's server audit in production mode", () => {
  // Every audit, MAY included, passes: none is believed wrong for this server.
  const audits = serverAudits({ url: () => server.url, fetchFn: withKey });
  it.each(audits.map((audit) => [audit.name, audit] as const))("%s", async (_name, audit) => {
    const result = await audit.fn();
    expect(result.status === "ok" ? "ok" : `${result.status}: ${result.reason}`).toBe("ok");
  });

  it("runs every audit also without a key (they only ask for __typename)", async () => {
    const failed: string[] = [];
    for (const audit of serverAudits({ url: server.url })) {
      const result = await audit.fn();
      if (result.status !== "ok") failed.push(`${audit.name}: ${result.reason}`);
    }
    expect(failed).toEqual([]);
  });
});

type Answer = { status: number; type: string | null; codes: string[]; data: unknown };

async function post(body: unknown, accept: string): Promise<Answer> {
  const response = await withKey(server.url, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });
  const json = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    codes: (json.errors ?? []).map((e) => String(e.extensions?.code)),
    data: json.data,
  };
}

describe("request errors by the media type of the response", () => {
  const mistakes: Array<[string, unknown, string]> = [
    ["a document that does not parse", { query: "{ deployments {" }, "GRAPHQL_PARSE_FAILED"],
    ["a document that does not validate", { query: "{ noSuchField }" }, "GRAPHQL_VALIDATION_FAILED"],
    ["a variable that does not coerce", { query: "query($n: Int) { deployments(first: $n) { totalCount } }", variables: { n: "ten" } }, "BAD_USER_INPUT"],
    ["a missing required variable", { query: "query($id: ID!) { deployment(id: $id) { id } }" }, "BAD_USER_INPUT"],
    ["a document past a query limit", { query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(" ")} }` }, "QUERY_TOO_COMPLEX"],
  ];

  it.each(mistakes)("%s: 200 in application/json, 400 in application/graphql-response+json", async (_name, body, code) => {
    for (const accept of ["application/json", "*/*", "application/json, text/plain;q=0.5"]) {
      expect(await post(body, accept), accept).toEqual({ status: 200, type: "application/json; charset=utf-8", codes: [code], data: undefined });
    }
    for (const accept of ["application/graphql-response+json", "application/graphql-response+json, application/json;q=0.9"]) {
      expect(await post(body, accept), accept).toEqual({
        status: 400,
        type: "application/graphql-response+json; charset=utf-8",
        codes: [code],
        data: undefined,
      });
    }
  });

  it("keeps 400 for a request that is not well-formed, whatever the Accept header", async () => {
    for (const accept of ["application/json", "application/graphql-response+json"]) {
      expect((await post({ query: "query A { __typename }", operationName: "B" }, accept)).status).toBe(400);
      expect((await post({ query: "{ __typename }", variables: [1] }, accept)).status).toBe(400);
      const broken = await withKey(server.url, { method: "POST", headers: { "content-type": "application/json", accept }, body: "{" });
      expect(broken.status).toBe(400);
      await broken.text();
    }
  });
});

describe("GET for queries, never for mutations, and no simple-request POST", () => {
  const get = (query: string, headers: Record<string, string> = {}) =>
    withKey(`${server.url}?query=${encodeURIComponent(query)}`, { headers: { accept: "application/graphql-response+json, application/json", ...headers } });
  const CREATE = `mutation { createVersion(input: { flowName: "csrf", name: "get", entrypoint: "a.py:b" }) { version { id } } }`;
  const count = async () =>
    (await (await withKey(`${server.url}?query=${encodeURIComponent("{ deployments { totalCount } }")}`)).json()) as {
      data: { deployments: { totalCount: number } };
    };

  it("answers a plain GET query as urql sends it: no preflight header, no content type", async () => {
    const response = await get(`query Q($n: Int) { deployments(first: $n) { totalCount } }`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { deployments: { totalCount: 0 } } });
    const withVariables = await withKey(
      `${server.url}?query=${encodeURIComponent("query($n: Int) { deployments(first: $n) { totalCount } }")}&variables=${encodeURIComponent('{"n":1}')}`,
    );
    expect([withVariables.status, await withVariables.json()]).toEqual([200, { data: { deployments: { totalCount: 0 } } }]);
  });

  it("refuses a mutation over GET with 405 and Allow: POST, and runs nothing", async () => {
    const response = await get(CREATE);
    expect([response.status, response.headers.get("allow")]).toEqual([405, "POST"]);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe("BAD_REQUEST");
    expect((await count()).data.deployments.totalCount).toBe(0);
  });

  it.each([
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["multipart", "multipart/form-data; boundary=x"],
    ["no content type", ""],
  ])("refuses a POST sent as %s with 415, and runs nothing", async (_name, type) => {
    const headers: Record<string, string> = type ? { "content-type": type } : {};
    const body = type === "" ? new Blob([JSON.stringify({ query: CREATE })]) : JSON.stringify({ query: CREATE });
    const response = await withKey(server.url, { method: "POST", headers, body });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe("BAD_REQUEST");
    expect((await count()).data.deployments.totalCount).toBe(0);
  });
});

import { parse, print } from "graphql";
import { describe, expect, it } from "vitest";
import { ApiClient, backoffDelay, type Operation, DEFAULT_RETRY, networkErrno, networkReason } from "../../../src/cli/api-client";
import { ApiError, BadResponseError, ConnectionError } from "../../../src/cli/errors";
import { data, fakeFetch, gqlError, networkError, type Reply } from "./fake-fetch";

const URL = "http://waymark.test/graphql";

/** An operation as codegen hands the CLI one: a parsed document. */
const op = (text: string) => parse(text) as Operation<any, Record<string, unknown>>;

function clientWith(replies: Reply[], apiKey: string | null = null) {
  const fetch = fakeFetch(...replies);
  const waits: number[] = [];
  const client = new ApiClient({ url: URL, apiKey, fetch, sleep: async (ms) => void waits.push(ms) });
  return { client, fetch, waits };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the request to fail");
}

describe("ApiClient retries", () => {
  it("retries a network error, then returns the data", async () => {
    const { client, fetch, waits } = clientWith([{ fail: "ECONNREFUSED" }, data({ ok: 1 })]);
    expect(await client.request(op("{ ok }"), {})).toEqual({ ok: 1 });
    expect(fetch.requests).toHaveLength(2);
    expect(waits).toEqual([200]);
  });

  it("retries UNAVAILABLE, then returns the data", async () => {
    const { client, fetch } = clientWith([gqlError("UNAVAILABLE"), gqlError("UNAVAILABLE"), data({ ok: 2 })]);
    expect(await client.request(op("{ ok }"), {})).toEqual({ ok: 2 });
    expect(fetch.requests).toHaveLength(3);
  });

  it("retries gateway statuses without a GraphQL body", async () => {
    const { client, fetch } = clientWith([{ status: 502, text: "<html>Bad gateway</html>" }, { status: 504, text: "" }, data({ ok: 3 })]);
    expect(await client.request(op("{ ok }"), {})).toEqual({ ok: 3 });
    expect(fetch.requests).toHaveLength(3);
  });

  it("gives up after the last attempt, with exponential, bounded waits", async () => {
    const { client, fetch, waits } = clientWith([{ fail: "ECONNREFUSED" }]);
    const error = await failure(client.request(op("{ ok }"), {}));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe(`cannot reach ${URL}: connection refused`);
    expect(fetch.requests).toHaveLength(DEFAULT_RETRY.attempts);
    expect(waits).toEqual([200, 400, 800, 1600]);
  });

  it("reports UNAVAILABLE as an ApiError once the attempts are spent, saying how many were made", async () => {
    const { client } = clientWith([gqlError("UNAVAILABLE")]);
    const error = await failure(client.request(op("{ ok }"), {}));
    expect(error).toMatchObject({ code: "UNAVAILABLE", attempts: 5 });
  });

  it.each(["BAD_USER_INPUT", "ALREADY_LIVE", "LIVE_VERSION_CONFLICT", "INTERNAL_SERVER_ERROR"])("does not retry %s", async (code) => {
    const { client, fetch, waits } = clientWith([gqlError(code, "nope"), data({ ok: 1 })]);
    const error = await failure(client.request(op("{ ok }"), {}));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code, message: "nope", attempts: 1 });
    expect(fetch.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("does not retry a response that is not GraphQL, such as a wrong path's 404", async () => {
    const { client, fetch } = clientWith([{ status: 404, text: "Not found" }]);
    const error = await failure(client.request(op("{ ok }"), {}));
    expect(error).toBeInstanceOf(BadResponseError);
    expect(error.message).toContain("HTTP 404");
    expect(fetch.requests).toHaveLength(1);
  });

  it("reads the code of an error answered with a 4xx status", async () => {
    const { client } = clientWith([gqlError("GRAPHQL_VALIDATION_FAILED", 'Cannot query field "x"', 400)]);
    expect(await failure(client.request(op("{ x }"), {}))).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED" });
  });

  it("honours a custom policy", async () => {
    const fetch = fakeFetch({ fail: "ECONNRESET" });
    const waits: number[] = [];
    const client = new ApiClient({ url: URL, fetch, sleep: async (ms) => void waits.push(ms), retry: { attempts: 3, initialDelayMs: 1000, maxDelayMs: 1500 } });
    expect((await failure(client.request(op("{ ok }"), {}))).message).toContain("connection reset");
    expect(waits).toEqual([1000, 1500]);
  });
});

describe("ApiClient with idempotent: false", () => {
  const once = { idempotent: false };

  it("retries only while the connection is refused or the host does not resolve: nothing was sent", async () => {
    const { client, fetch, waits } = clientWith([{ fail: "ECONNREFUSED" }, { fail: "EAI_AGAIN" }, data({ ok: 1 })]);
    expect(await client.request(op("mutation { ok }"), {}, once)).toEqual({ ok: 1 });
    expect(fetch.requests).toHaveLength(3);
    expect(waits).toEqual([200, 400]);
  });

  it("gives up on a refused connection after the last attempt, like any request", async () => {
    const { client, fetch } = clientWith([{ fail: "ECONNREFUSED" }]);
    expect(await failure(client.request(op("mutation { ok }"), {}, once))).toMatchObject({ unsent: true, message: `cannot reach ${URL}: connection refused` });
    expect(fetch.requests).toHaveLength(DEFAULT_RETRY.attempts);
  });

  it.each<[string, Reply, string]>([
    ["a reset", { fail: "ECONNRESET" }, "ConnectionError"],
    ["a timeout", { fail: "ETIMEDOUT" }, "ConnectionError"],
    ["a closed socket", { fail: "UND_ERR_SOCKET" }, "ConnectionError"],
    ["a gateway status", { status: 503, text: "" }, "ConnectionError"],
    ["UNAVAILABLE", gqlError("UNAVAILABLE"), "ApiError"],
  ])("does not repeat the request after %s: it may have reached the server", async (_what, reply, name) => {
    const { client, fetch, waits } = clientWith([reply, data({ ok: 1 })]);
    const error = await failure(client.request(op("mutation { ok }"), {}, once));
    expect(error.name).toBe(name);
    expect(error).not.toMatchObject({ unsent: true });
    expect(fetch.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe("ApiClient requests", () => {
  it("posts the query and variables as JSON, with the key as a Bearer token when set", async () => {
    const { client, fetch } = clientWith([data({ ok: 1 })], "wm_secret");
    await client.request(op("query Q($a: Int) { ok }"), { a: 1 });
    const [request] = fetch.requests;
    expect(request).toMatchObject({ url: URL, body: { query: print(parse("query Q($a: Int) { ok }")), variables: { a: 1 } } });
    expect(request?.headers).toMatchObject({ "content-type": "application/json", authorization: "Bearer wm_secret" });
  });

  it("sends no authorization header without a key", async () => {
    const { client, fetch } = clientWith([data({ ok: 1 })]);
    await client.request(op("{ ok }"), {});
    expect(fetch.requests[0]?.headers).not.toHaveProperty("authorization");
  });
});

describe("backoffDelay and networkReason", () => {
  it("doubles from the initial delay up to the bound", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, DEFAULT_RETRY))).toEqual([200, 400, 800, 1600, 3000, 3000]);
  });

  it("finds the errno in fetch's cause chain", () => {
    expect(networkErrno(networkError("ECONNREFUSED"))).toBe("ECONNREFUSED");
    expect(networkErrno(new TypeError("fetch failed", { cause: new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]) }))).toBe(
      "ECONNREFUSED",
    );
    expect(networkErrno(new DOMException("The operation timed out.", "TimeoutError"))).toBeNull();
    expect(networkErrno(new TypeError("fetch failed"))).toBeNull();
  });

  it("names the errno of fetch's cause chain", () => {
    expect(networkReason(networkError("ENOTFOUND"))).toBe("host not found");
    const aggregate = new TypeError("fetch failed", { cause: new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]) });
    expect(networkReason(aggregate)).toBe("connection refused");
    expect(networkReason(new DOMException("The operation timed out.", "TimeoutError"))).toBe("timed out");
    expect(networkReason(new TypeError("fetch failed", { cause: new Error("bad port") }))).toBe("bad port");
    expect(networkReason(new TypeError("fetch failed"))).toBe("fetch failed");
  });
});

import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";

// The resume point in the connection_init payload: used by a subscription without its own
// afterSequence, overridden by one with it, and refused when it is not a sequence of the log.
describe("afterSequence in connection_init", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer("sqlite");
    for (const sha of ["1111111", "2222222", "3333333"]) {
      await server.gql(
        `mutation($sha: String!) { createVersion(input: { flowName: "etl", name: "prod", entrypoint: "f.py:main", sourceInfo: { commitSha: $sha } }) { version { id } } }`,
        { sha },
      );
    }
  });

  afterAll(async () => server?.close());

  /** The sequences (or error codes) a subscription gets before `count` events, over a connection with `params`. */
  const collect = async (params: Record<string, unknown>, query: string, count: number) => {
    const client = createClient({
      url: server.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { Authorization: `Bearer ${TEST_ADMIN_KEY}`, ...params },
    });
    const got: unknown[] = [];
    try {
      const iterator = client.iterate<any>({ query });
      for await (const result of iterator) {
        got.push(result.data?.liveVersionChanged.sequence ?? result.errors?.[0]?.extensions?.code);
        if (got.length >= count) break;
      }
    } catch (errors) {
      got.push(...(errors as Array<{ extensions?: { code?: string } }>).map((e) => e.extensions?.code));
    } finally {
      await client.dispose();
    }
    return got;
  };

  it("replays after the connection's afterSequence when the subscription gives none", async () => {
    expect(await collect({ afterSequence: 1 }, "subscription { liveVersionChanged { sequence } }", 2)).toEqual([2, 3]);
    expect(await collect({ afterSequence: 0 }, "subscription { liveVersionChanged { sequence } }", 3)).toEqual([1, 2, 3]);
  });

  it("lets the subscription's own afterSequence win", async () => {
    expect(await collect({ afterSequence: 0 }, "subscription { liveVersionChanged(afterSequence: 2) { sequence } }", 1)).toEqual([3]);
  });

  it("refuses a value that is not a sequence of the log, and reports the workspace's last one", async () => {
    for (const afterSequence of ["2", -1, 1.5, 99]) {
      expect(await collect({ afterSequence }, "subscription { liveVersionChanged { sequence } }", 1)).toEqual(["BAD_USER_INPUT"]);
    }
    expect((await server.gql("{ lastLiveSequence }")).data).toEqual({ lastLiveSequence: 3 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app";
import { createLogger } from "../../src/logger";
import { codes, postGraphQL, startServer, STORES, type TestServer } from "../support/server";
import { PROMOTE, ROLLBACK, UPDATE_SETTINGS, createVersion } from "../support/operations";

// History reads of one deployment are answered from a cache (src/schema/executor.ts) that is
// checked against a fresh read of the deployment row: it must never answer with an older live
// pointer, version list or settings than the database has, nor answer a caller it would refuse.

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
  return (result.data as any).deployment as { paused: boolean; versionCount: number; liveVersion: { number: number }; versions: { totalCount: number; edges: Array<{ node: { number: number; isLive: boolean } }> } };
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
    expect((await read(server.url, id)).liveVersion.number).toBe(3);
    await read(server.url, id);
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
  });
});

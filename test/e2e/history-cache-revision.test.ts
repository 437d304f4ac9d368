import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app";
import { parseConfig, type Config } from "../../src/config";
import { createLogger } from "../../src/logger";
import { freshDatabase, postGraphQL, STORES, TEST_ADMIN_KEY, type StoreKind } from "../support/server";
import { CREATE_VERSION, PROMOTE, ROLLBACK } from "../support/operations";

// Cached history answers are keyed on (deployment id, revision), and every write increments the
// revision (src/cache/history-cache.ts). These servers run on a clock that never moves, so a
// rollback and a promote back leave the deployment row exactly as it was before them but for its
// revision: an answer from before must not be served after them, on this instance or another.

const FIXED = new Date("2026-03-01T12:00:00.000Z");

const LIVE = `query Live($id: ID!) {
  deployment(id: $id) {
    updatedAt versionCount
    liveVersion { number }
    liveHistory(first: 10) { totalCount edges { node { sequence kind liveVersion { number } } } }
  }
}`;

interface Live {
  updatedAt: string;
  versionCount: number;
  liveVersion: { number: number };
  liveHistory: { totalCount: number; edges: Array<{ node: { sequence: number; kind: string; liveVersion: { number: number } } }> };
}

/** A server on the fixed clock; a second one on the same database when `config` is given. */
async function startFrozen(kind: StoreKind, config?: Config): Promise<{ app: App; url: string; config: Config; drop: () => Promise<void> }> {
  const database = config ? null : await freshDatabase(kind);
  config ??= parseConfig({
    DATABASE_URL: database!.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY,
    WAYMARK_AUTH_FAILURES_PER_MINUTE: "100000",
  });
  const app = await createApp({ config, logger: createLogger(config.logLevel), now: () => new Date(FIXED) });
  return { app, url: await app.listen(), config, drop: async () => database?.drop() };
}

const read = async (url: string, id: string): Promise<Live> => {
  const result = await postGraphQL(url, LIVE, { id });
  expect(result.errors).toBeUndefined();
  return (result.data as { deployment: Live }).deployment;
};

const kinds = (live: Live) => live.liveHistory.edges.map((e) => e.node.kind);

async function seed(url: string, name: string): Promise<string> {
  let id = "";
  for (let n = 1; n <= 3; n++) {
    const created = await postGraphQL(url, CREATE_VERSION, { input: { flowName: "frozen", name, entrypoint: `f.py:v${n}` } });
    expect(created.errors).toBeUndefined();
    id = (created.data as any).createVersion.deployment.id;
  }
  return id;
}

async function move(url: string, mutation: string, id: string): Promise<void> {
  expect((await postGraphQL(url, mutation, { input: { deploymentId: id } })).errors).toBeUndefined();
}

/** The history cache's counters on one server, by outcome. */
async function cacheCounts(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(new URL("/metrics", url))).text();
  const counts: Record<string, number> = {};
  for (const [, outcome, value] of text.matchAll(/^waymark_history_cache_total\{outcome="(\w+)"\} (\d+)$/gm)) counts[outcome!] = Number(value);
  return counts;
}

describe.each(STORES)("history answers keyed on the deployment's revision (%s)", (store) => {
  let server: Awaited<ReturnType<typeof startFrozen>>;
  beforeAll(async () => void (server = await startFrozen(store)));
  afterAll(async () => {
    await server?.app.close();
    await server?.drop();
  });

  it("never serves the answer from before a rollback and a promote back within one clock tick", async () => {
    const id = await seed(server.url, "quiet");
    const before = await read(server.url, id);
    expect(await read(server.url, id)).toEqual(before);
    await move(server.url, ROLLBACK, id);
    await move(server.url, PROMOTE, id);
    // Nothing was read between the moves: the answer from before them is still in the cache,
    // and the row has every column as it was then except its revision.
    const after = await read(server.url, id);
    expect([after.updatedAt, after.versionCount, after.liveVersion.number]).toEqual([before.updatedAt, before.versionCount, 3]);
    expect(kinds(after)).toEqual(["PROMOTE", "ROLLBACK", "CREATE", "CREATE", "CREATE"]);
    expect(await read(server.url, id)).toEqual(after);
  });

  it("nor the one cached between them", async () => {
    const id = await seed(server.url, "tick");
    const before = await read(server.url, id);
    expect(await read(server.url, id)).toEqual(before);
    expect([before.liveVersion.number, before.liveHistory.totalCount]).toEqual([3, 3]);
    await move(server.url, ROLLBACK, id);
    const between = await read(server.url, id);
    expect([between.liveVersion.number, kinds(between)[0]]).toEqual([2, "ROLLBACK"]);
    expect(await read(server.url, id)).toEqual(between);
    await move(server.url, PROMOTE, id);
    const after = await read(server.url, id);
    // The row is as it was before the two moves (the same live version, number and time)…
    expect([after.updatedAt, after.versionCount, after.liveVersion.number]).toEqual([before.updatedAt, before.versionCount, 3]);
    // …but its history is not, and neither answer cached before is served.
    expect(kinds(after)).toEqual(["PROMOTE", "ROLLBACK", "CREATE", "CREATE", "CREATE"]);
    expect(await read(server.url, id)).toEqual(after);
  });

  it("takes the early path for a repeated request and the pipeline for a new one, a GET, or a new revision", async () => {
    const id = await seed(server.url, "paths");
    const counts = async () => cacheCounts(server.url);
    const start = await counts();
    const delta = async () => {
      const now = await counts();
      return Object.fromEntries(["early", "hit", "miss"].map((k) => [k, (now[k] ?? 0) - (start[k] ?? 0)]));
    };
    await read(server.url, id);
    expect(await delta()).toEqual({ early: 0, hit: 0, miss: 1 });
    await read(server.url, id);
    await read(server.url, id);
    expect(await delta()).toEqual({ early: 2, hit: 0, miss: 1 });
    // A GET is not answered before the pipeline, but inside it, from the same cached answer.
    const get = new URL(server.url);
    get.searchParams.set("query", LIVE);
    get.searchParams.set("variables", JSON.stringify({ id }));
    const viaGet = await fetch(get, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, "apollo-require-preflight": "1" } });
    expect(((await viaGet.json()) as { data: { deployment: Live } }).data.deployment).toEqual(await read(server.url, id));
    expect(await delta()).toEqual({ early: 3, hit: 1, miss: 1 });
    await move(server.url, ROLLBACK, id);
    expect((await read(server.url, id)).liveVersion.number).toBe(2);
    expect(await delta()).toEqual({ early: 3, hit: 1, miss: 2 });
  });
});

describe.runIf(STORES.includes("mysql"))("history answers after moves made on another instance (mysql)", () => {
  let a: Awaited<ReturnType<typeof startFrozen>>;
  let b: Awaited<ReturnType<typeof startFrozen>>;
  beforeAll(async () => {
    a = await startFrozen("mysql");
    b = await startFrozen("mysql", a.config);
  });
  afterAll(async () => {
    await b?.app.close();
    await a?.app.close();
    await a?.drop();
  });

  it("is never stale on A after B rolls back and promotes back within one clock tick", async () => {
    const id = await seed(a.url, "two");
    for (let round = 1; round <= 4; round++) {
      const before = await read(a.url, id);
      await read(a.url, id);
      await move(b.url, ROLLBACK, id);
      // Every other round, A reads nothing while the pointer is away.
      if (round % 2 === 0) {
        const between = await read(a.url, id);
        expect([between.liveVersion.number, between.liveHistory.totalCount]).toEqual([2, before.liveHistory.totalCount + 1]);
        await read(a.url, id);
      }
      await move(b.url, PROMOTE, id);
      const after = await read(a.url, id);
      expect([after.updatedAt, after.liveVersion.number]).toEqual([before.updatedAt, 3]);
      expect(after.liveHistory.totalCount).toBe(before.liveHistory.totalCount + 2);
      expect(kinds(after).slice(0, 2)).toEqual(["PROMOTE", "ROLLBACK"]);
    }
    // The repeated reads on A were answered from its cache: what was checked above is the cache.
    expect((await cacheCounts(a.url)).early).toBeGreaterThanOrEqual(4);
  });
});

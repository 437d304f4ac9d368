import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp, type App } from "../../src/app";
import { parseConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { codes, freshDatabase, postGraphQL, STORES, TEST_ADMIN_KEY, type StoreKind } from "../support/server";
import { countStatements } from "../support/statements";

// API keys are resolved from a cache that never lets a revoked key through: the instance that
// revokes refuses the key at once; another refuses it within 100 ms through Redis, and within
// 1 s without Redis (a check of the key table once a second). Unknown keys are remembered too,
// so a flood of one bad key does not reach the database.

interface Instance {
  url: string;
  app: App;
  /** Statements this instance sent to its store through TypeORM since the last reset. */
  statements: { reset(): void; readonly count: number };
}

async function startInstance(databaseUrl: string, options: { redis?: boolean; keyTableCheckMs?: number } = {}): Promise<Instance> {
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY,
    WAYMARK_AUTH_FAILURES_PER_MINUTE: "100000",
    ...(options.redis ? { REDIS_URL: inject("redisUrl") } : {}),
  });
  const app = await createApp({ config, logger: createLogger("silent"), keyTableCheckMs: options.keyTableCheckMs });
  const url = await app.listen();
  return { url, app, statements: countStatements([...new Set([app.db.dataSource, app.db.reader.connection])]) };
}

const READ = "{ deployments { totalCount } }";
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createReadKey(url: string, name: string): Promise<{ key: string; id: string }> {
  const r = await postGraphQL(url, `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }`, { i: { name, scopes: ["READ"] } });
  const created = (r.data as any).createApiKey;
  return { key: created.key, id: created.apiKey.id };
}

async function revoke(url: string, id: string): Promise<void> {
  const r = await postGraphQL(url, `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`, { id });
  expect((r.data as any).revokeApiKey.apiKey.revokedAt).toBeTruthy();
}

/** Asks `url` with `key` until it is refused; the ms from the call to the first refusal. */
async function msUntilRefused(url: string, key: string, deadlineMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const r = await postGraphQL(url, READ, {}, bearer(key));
    if (codes(r).includes("UNAUTHENTICATED")) return performance.now() - t0;
    expect(r.errors).toBeUndefined();
    if (performance.now() - t0 > deadlineMs) throw new Error(`the revoked key was still accepted after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Uses the key on `instance` until it is answered from memory (no statement), as it is after one lookup. */
async function expectCached(instance: Instance, key: string): Promise<void> {
  expect((await postGraphQL(instance.url, READ, {}, bearer(key))).errors).toBeUndefined();
  instance.statements.reset();
  expect((await postGraphQL(instance.url, "{ __typename }", {}, bearer(key))).errors).toBeUndefined();
  expect(instance.statements.count).toBe(0);
}

describe.each(STORES)("the API key cache on one instance (%s)", (store: StoreKind) => {
  let instance: Instance;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await freshDatabase(store);
    drop = database.drop;
    instance = await startInstance(database.url);
  });
  afterAll(async () => {
    await instance?.app.close();
    await drop?.();
  });

  it("refuses a revoked key at once on the instance that revoked it, though it was cached", async () => {
    const { key, id } = await createReadKey(instance.url, "short-lived");
    await expectCached(instance, key);
    await revoke(instance.url, id);
    expect(codes(await postGraphQL(instance.url, READ, {}, bearer(key)))).toEqual(["UNAUTHENTICATED"]);
  });

  it("looks an unknown key up once, not once per request, and still refuses it every time", async () => {
    const bad = `wm_${"x".repeat(43)}`;
    instance.statements.reset();
    for (let i = 0; i < 50; i++) expect(codes(await postGraphQL(instance.url, READ, {}, bearer(bad)))).toEqual(["UNAUTHENTICATED"]);
    // One lookup, or a few if a check of the key table drops what is held meanwhile; never one per request.
    expect(instance.statements.count).toBeLessThanOrEqual(3);
  });
});

describe("the API key cache across instances on one MariaDB", () => {
  const started: Instance[] = [];
  let drop: () => Promise<void>;
  let databaseUrl: string;
  beforeAll(async () => {
    const database = await freshDatabase("mysql");
    drop = database.drop;
    databaseUrl = database.url;
  });
  afterAll(async () => {
    for (const instance of started) await instance.app.close();
    await drop?.();
  });
  const start = async (options: { redis?: boolean; keyTableCheckMs?: number }) => {
    const instance = await startInstance(databaseUrl, options);
    started.push(instance);
    return instance;
  };

  it("with Redis, another instance refuses a revoked key within 100 ms: the revocation's message, not the periodic check", async () => {
    // A check of the key table once a minute: only the Redis message can explain a refusal within a second.
    const [a, b] = [await start({ redis: true, keyTableCheckMs: 60_000 }), await start({ redis: true, keyTableCheckMs: 60_000 })];
    const { key, id } = await createReadKey(a.url, "redis-revoked");
    await expectCached(b, key);
    const observer = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 0 });
    try {
      const message = new Promise<string>((resolve) => observer.on("message", (_channel: string, text: string) => resolve(text)));
      await observer.subscribe("waymark:key-revoked");
      await revoke(a.url, id);
      const ms = await msUntilRefused(b.url, key, 5_000);
      expect(await message).toBe(id.slice("key_".length));
      console.log(`revoked key refused by the other instance after ${ms.toFixed(1)} ms (with Redis)`);
      // The bound is 100 ms; a loaded test machine gets ten times that.
      expect(ms).toBeLessThan(1_000);
    } finally {
      observer.disconnect();
    }
  });

  it("without Redis, another instance refuses a revoked key within 1 s: its check of the key table", async () => {
    const [a, b] = [await start({}), await start({})];
    const { key, id } = await createReadKey(a.url, "polled-revoked");
    await expectCached(b, key);
    await revoke(a.url, id);
    const ms = await msUntilRefused(b.url, key, 5_000);
    console.log(`revoked key refused by the other instance after ${ms.toFixed(1)} ms (without Redis)`);
    // The bound is 1 s (one check a second); the margin is for a loaded test machine.
    expect(ms).toBeLessThan(1_750);
  });
});

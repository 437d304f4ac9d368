import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnection, type Connection } from "mysql2/promise";
import { openDatabase, type Database } from "../../src/db/database";
import type { Statement } from "../../src/db/write-store";
import { migrateDatabase } from "../../src/migrate";
import { parseConfig } from "../../src/config";
import { createRequire } from "node:module";
import { freshDatabase, startServer, STORES, type StoreKind, type TestServer } from "../support/server";
import { createVersion } from "../support/operations";
import { subscribe } from "../support/subscriptions";

// The write store sends a write's tail and the COMMIT in one burst (src/db/mysql-store.ts). A
// statement that fails must stop everything queued behind it, or a deadlock (which has already
// rolled the transaction back) would let the rest run on their own and commit.
const insertWorkspace = (name: string): Statement => [
  "INSERT INTO workspace (name, last_sequence, operator, created_at) VALUES (?, 0, 0, ?)",
  [name, Date.now()],
];

/** A migrated store of `kind` for the suite, opened before its tests and dropped after. */
function storeFor(kind: StoreKind) {
  const store = { db: undefined as unknown as Database, url: "" };
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url: store.url, drop } = await freshDatabase(kind));
    const config = parseConfig({ DATABASE_URL: store.url }).database;
    await migrateDatabase(config);
    store.db = await openDatabase(config);
  });
  afterAll(async () => {
    await store.db.close();
    await drop();
  });
  return store;
}

/** A write whose work decides nothing and whose tail is `statements`. */
const burst = (db: Database, statements: Statement[]) => db.store.write(async () => ({ result: undefined, append: { statements } }));

/**
 * Resolves once another connection to this connection's database is executing a statement
 * containing `statementPart` (the server's own view, so a barrier, not a guess at timing). The
 * process list, not INNODB_TRX: MariaDB 10.11 was seen not to list there the store's
 * transaction while its tail statement waited for the lock.
 */
async function lockWaitOn(connection: Connection, statementPart: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const [rows] = await connection.query(
      "SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND <> 'Sleep' AND INFO LIKE ?",
      [`%${statementPart}%`],
    );
    if (Number((rows as Array<{ waiting: number }>)[0]?.waiting) > 0) return;
    if (Date.now() > deadline) throw new Error(`no transaction waited for a lock in "${statementPart}" within ${ms} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const namesIn = async (db: Database, prefix: string) =>
  ((await db.reader.query("SELECT name FROM workspace WHERE name LIKE ? ORDER BY name", [`${prefix}%`])) as Array<{ name: string }>).map((r) => r.name);

describe.each(STORES)("a write burst on %s", (kind) => {
  const store = storeFor(kind);
  const names = (prefix: string) => namesIn(store.db, prefix);

  it("commits every statement when all succeed", async () => {
    const { db } = store;
    await burst(db, [insertWorkspace("ok-a"), insertWorkspace("ok-b")]);
    expect(await names("ok-")).toEqual(["ok-a", "ok-b"]);
  });

  it("runs nothing after a failed statement and commits nothing", async () => {
    const { db } = store;
    const failed = burst(db, [insertWorkspace("bad-a"), ["INSERT INTO no_such_table VALUES (1)", []], insertWorkspace("bad-b")]);
    await expect(failed).rejects.toThrow(/no_such_table/);
    expect(await names("bad-")).toEqual([]);
    // The store still works afterwards (the closed connection left the pool).
    await burst(db, [insertWorkspace("after")]);
    expect(await names("after")).toEqual(["after"]);
  });

  it("runs nothing after a statement the driver refuses before sending (an undefined parameter)", async () => {
    const { db } = store;
    const failed = burst(db, [insertWorkspace("refused-a"), ["INSERT INTO workspace (name) VALUES (?)", [undefined]], insertWorkspace("refused-b")]);
    await expect(failed).rejects.toThrow();
    expect(await names("refused-")).toEqual([]);
  });
});

// Only MySQL has row locks, and so deadlocks; SQLite's single writer cannot deadlock.
describe.runIf(STORES.includes("mysql"))("a write burst on mysql, after a deadlock", () => {
  const store = storeFor("mysql");

  it("runs nothing after a deadlock, whose rollback has already ended the transaction", async () => {
    const { db, url } = store;
    await burst(db, [insertWorkspace("x"), insertWorkspace("y")]);
    // The other side of the deadlock: locks y, then (once the burst waits on y) asks for x.
    // It has written more rows, so InnoDB picks the burst's transaction as the victim.
    const other = await createConnection({ uri: url });
    try {
      await other.query("START TRANSACTION");
      await other.query("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'y'");
      for (let i = 0; i < 20; i++) await other.query("INSERT INTO workspace (name, last_sequence, operator, created_at) VALUES (?, 0, 0, 0)", [`filler-${i}`]);
      let attempts = 0;
      const written = db.store.write(async (tx) => {
        attempts++;
        await tx.run("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'x'", []);
        if (attempts > 1) return { result: undefined }; // the retry after the deadlock: nothing more to show
        return {
          result: undefined,
          append: { statements: [["UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'y'", []], insertWorkspace("victim-marker")] },
        };
      });
      // The deadlock needs the burst to be asking for y before the other side asks for x. Once it
      // is, the order of the two lock requests no longer matters: either way they deadlock, and
      // InnoDB picks the burst, which has written less, as the victim.
      await lockWaitOn(other, "name = 'y'");
      const otherSide = other.query("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'x'").then(() => other.query("ROLLBACK"));
      await written;
      await otherSide;
      expect(attempts).toBe(2);
    } finally {
      await other.end();
    }
    expect(await namesIn(db, "victim-")).toEqual([]);
  });
});

// The one outcome a client cannot tell: COMMIT was sent and its answer never came (the
// connection dropped). The server asks the database on another connection which it was.
describe.runIf(STORES.includes("mysql"))("a COMMIT whose answer is lost (mysql)", () => {
  type Query = (this: unknown, sql: unknown, values: unknown, callback: (error: unknown, result?: unknown) => void) => unknown;
  // Pooled connections are mysql2 Connections; an own `query` on that prototype comes first.
  const connectionClass = createRequire(__filename)("mysql2").Connection as { prototype: { query: Query } };
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer("mysql");
  });
  afterAll(() => server?.close());

  /** The next COMMIT this process sends loses its answer; with `reachesServer` false it is never sent at all. */
  function loseNextCommit(reachesServer: boolean) {
    const original = connectionClass.prototype.query;
    const restore = () => void delete (connectionClass.prototype as { query?: Query }).query;
    const lost = (callback: (error: unknown) => void) =>
      callback(Object.assign(new Error("Connection lost: The server closed the connection."), { code: "PROTOCOL_CONNECTION_LOST", fatal: true }));
    connectionClass.prototype.query = function (sql, values, callback) {
      if ((sql as { sql?: string } | null)?.sql !== "COMMIT") return original.call(this, sql, values, callback);
      restore();
      // In turn after the statements before it: COMMIT itself, or a no-op in its place.
      return original.call(this, reachesServer ? sql : { sql: "DO 0" }, values, () => lost(callback));
    };
    return restore;
  }

  it("answers with the change when the database committed it, and publishes it", async () => {
    const first = await createVersion(server, { flowName: "lost", name: "committed", entrypoint: "a.py:v1" });
    const live = await subscribe(server.url, { deploymentId: first.deployment.id });
    const restore = loseNextCommit(true);
    try {
      const created = await server.gql(
        `mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "a.py:v2" }) { version { number } change { sequence } } }`,
        { id: first.deployment.id },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data.createVersion.version.number).toBe(2);
      const [event] = await live.waitFor(1);
      expect(event.sequence).toBe(created.data.createVersion.change.sequence);
    } finally {
      restore();
      await live.close();
    }
    const history = await server.gql(`query($id: ID!) { deployment(id: $id) { versionCount liveVersion { number } } }`, { id: first.deployment.id });
    expect(history.data.deployment).toEqual({ versionCount: 2, liveVersion: { number: 2 } });
  });

  it("answers UNAVAILABLE, with nothing changed, when the COMMIT never reached the database", async () => {
    const first = await createVersion(server, { flowName: "lost", name: "rolled-back", entrypoint: "a.py:v1" });
    const restore = loseNextCommit(false);
    try {
      const moved = await server.gql(`mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "a.py:v2" }) { version { number } } }`, {
        id: first.deployment.id,
      });
      expect(moved.errors?.map((e) => e.extensions?.code)).toEqual(["UNAVAILABLE"]);
    } finally {
      restore();
    }
    const history = await server.gql(`query($id: ID!) { deployment(id: $id) { versionCount liveVersion { number } } }`, { id: first.deployment.id });
    expect(history.data.deployment).toEqual({ versionCount: 1, liveVersion: { number: 1 } });
  });
});

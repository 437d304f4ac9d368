import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnection } from "mysql2/promise";
import { openDatabase, type Database } from "../../src/db/database";
import { sqlOf } from "../../src/db/sql";
import { migrateDatabase } from "../../src/migrate";
import { parseConfig } from "../../src/config";
import { freshDatabase, STORES, type StoreKind } from "../support/server";

// The write path sends its last statements and the COMMIT in one burst (src/db/sql.ts). A
// statement that fails must stop everything queued behind it, or a deadlock (which has already
// rolled the transaction back) would let the rest run on their own and commit.
const insertWorkspace = (name: string): [string, unknown[]] => ["INSERT INTO workspace (name, last_sequence, operator, created_at) VALUES (?, 0, 0, ?)", [name, Date.now()]];

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

const namesIn = async (db: Database, prefix: string) =>
  ((await db.reader.query("SELECT name FROM workspace WHERE name LIKE ? ORDER BY name", [`${prefix}%`])) as Array<{ name: string }>).map((r) => r.name);

describe.each(STORES)("a write burst on %s", (kind) => {
  const store = storeFor(kind);
  const names = (prefix: string) => namesIn(store.db, prefix);

  it("commits every statement when all succeed", async () => {
    const { db } = store;
    await db.write((tx) => sqlOf(tx).burst([insertWorkspace("ok-a"), insertWorkspace("ok-b")], { commit: true }));
    expect(await names("ok-")).toEqual(["ok-a", "ok-b"]);
  });

  it("runs nothing after a failed statement and commits nothing", async () => {
    const { db } = store;
    const failed = db.write((tx) => sqlOf(tx).burst([insertWorkspace("bad-a"), ["INSERT INTO no_such_table VALUES (1)", []], insertWorkspace("bad-b")], { commit: true }));
    await expect(failed).rejects.toThrow(/no_such_table/);
    expect(await names("bad-")).toEqual([]);
    // The store still works afterwards (the closed connection left the pool).
    await db.write((tx) => sqlOf(tx).burst([insertWorkspace("after")], { commit: true }));
    expect(await names("after")).toEqual(["after"]);
  });

  it("runs nothing after a statement the driver refuses before sending (an undefined parameter)", async () => {
    const { db } = store;
    const failed = db.write((tx) => sqlOf(tx).burst([insertWorkspace("refused-a"), ["INSERT INTO workspace (name) VALUES (?)", [undefined]], insertWorkspace("refused-b")], { commit: true }));
    await expect(failed).rejects.toThrow();
    expect(await names("refused-")).toEqual([]);
  });
});

// Only MySQL has row locks, and so deadlocks; SQLite's single writer cannot deadlock.
describe.runIf(STORES.includes("mysql"))("a write burst on mysql, after a deadlock", () => {
  const store = storeFor("mysql");

  it("runs nothing after a deadlock, whose rollback has already ended the transaction", async () => {
    const { db, url } = store;
    await db.write((tx) => sqlOf(tx).burst([insertWorkspace("x"), insertWorkspace("y")], { commit: true }));
    // The other side of the deadlock: locks y, then (once the burst waits on y) asks for x.
    // It has written more rows, so InnoDB picks the burst's transaction as the victim.
    const other = await createConnection({ uri: url });
    try {
      await other.query("START TRANSACTION");
      await other.query("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'y'");
      for (let i = 0; i < 20; i++) await other.query("INSERT INTO workspace (name, last_sequence, operator, created_at) VALUES (?, 0, 0, 0)", [`filler-${i}`]);
      let attempts = 0;
      const burst = db.write(async (tx) => {
        attempts++;
        const sql = sqlOf(tx);
        await sql.run("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'x'", []);
        if (attempts > 1) return; // the retry after the deadlock: nothing more to show
        await sql.burst([["UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'y'", []], insertWorkspace("victim-marker")], { commit: true });
      });
      await new Promise((r) => setTimeout(r, 300));
      const otherSide = other.query("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE name = 'x'").then(() => other.query("ROLLBACK"));
      await burst;
      await otherSide;
      expect(attempts).toBe(2);
    } finally {
      await other.end();
    }
    expect(await namesIn(db, "victim-")).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { Work, WriteTx } from "../../src/db/write-store";
import { MysqlWriteStore } from "../../src/db/mysql-store";
import { startServer, type TestServer } from "../support/server";
import { ROLLBACK, deploymentWithVersions } from "../support/operations";

// A Galera node can end a write's transaction without a word: when a replicated write needs the
// locks of a local transaction that is running a SELECT, it aborts that transaction, the SELECT
// still answers its rows, and the statements that follow are not refused. Here the same is done
// on a plain MariaDB by ending the transaction (ROLLBACK) on the write's own connection at the end
// of its work. Nothing the write sends afterwards may commit on its own, and a decision taken on
// a row another write has changed since may not be committed at all. A single server never ends a
// transaction silently, so the store guards against it (autocommit off while a write runs) only on
// Galera: the store here is made as it is on a Galera node. reliability-galera-moves.test.ts meets
// the real abort on a real cluster.

type WorkFn = (tx: WriteTx) => Promise<Work<unknown>>;

/** Makes the next write through `db.store` lose its transaction once its work is done, and run `meanwhile` then. */
function loseNextTransaction(db: Database, meanwhile: () => Promise<void> = async () => undefined): { restore: () => void } {
  const store = db.store;
  const write = store.write.bind(store);
  let armed = true;
  store.write = ((work: WorkFn) =>
    write(async (tx) => {
      const done = await work(tx);
      if (armed) {
        armed = false;
        await tx.run("ROLLBACK", []);
        await meanwhile();
      }
      return done;
    })) as typeof store.write;
  return { restore: () => void (store.write = write) };
}

/** Entries of a deployment's log whose previous version is not the one the entry before them made live. */
async function chainBreaks(db: Database, deploymentKey: number): Promise<string[]> {
  const rows = (await db.reader.query(
    `SELECT c.sequence, c.previous_version_id AS previous,
       (SELECT p.live_version_id FROM live_version_change p WHERE p.deployment_id = c.deployment_id AND p.sequence < c.sequence
        ORDER BY p.sequence DESC LIMIT 1) AS before_it
     FROM live_version_change c WHERE c.deployment_id = ? ORDER BY c.sequence`,
    [deploymentKey],
  )) as Array<{ sequence: number; previous: number | null; before_it: number | null }>;
  return rows.filter((r) => r.previous !== r.before_it).map((r) => `sequence ${r.sequence}: previous ${r.previous}, before it ${r.before_it}`);
}

/** What every write leaves behind for a deployment: its revision, its log entries and its audit entries. */
async function footprint(db: Database, deploymentKey: number) {
  const [row] = (await db.reader.query(
    `SELECT d.revision, d.live_version_id AS live,
       (SELECT COUNT(*) FROM live_version_change c WHERE c.deployment_id = d.id) AS entries,
       (SELECT COUNT(*) FROM audit_entry a WHERE a.deployment_id = d.id) AS audits,
       (SELECT w.last_sequence - COUNT(c.id) FROM workspace w JOIN live_version_change c ON c.workspace_id = w.id WHERE w.id = d.workspace_id) AS gaps
     FROM deployment d WHERE d.id = ?`,
    [deploymentKey],
  )) as Array<Record<string, unknown>>;
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

describe("the MySQL write store when its transaction ends under the work", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer("mysql");
    const { dataSource, tables } = server.app.db;
    Object.assign(server.app.db, { store: new MysqlWriteStore(dataSource, tables, { galera: true, causal: "" }) });
  });
  afterAll(() => server?.close());
  const db = () => server.app.db;

  it("does not commit a move decided on a pointer that another write moved meanwhile; the move runs again on the new pointer", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "stale");
    const key = Number(deploymentId.slice(4));
    // Rolls back from v3 to v1; its transaction ends once it has read v3, and v3 → v2 commits meanwhile.
    const lost = loseNextTransaction(db(), async () => {
      const other = await server.gql(ROLLBACK, { input: { deploymentId, versionId: ids[2] } });
      expect(other.errors, JSON.stringify(other.errors)).toBeUndefined();
    });
    try {
      const moved = await server.gql(ROLLBACK, { input: { deploymentId, versionId: ids[1] } });
      expect(moved.errors, JSON.stringify(moved.errors)).toBeUndefined();
      // Run again on v2, the rollback moved v2 → v1.
      expect(moved.data.rollback.change.previousVersion.id).toBe(ids[2]);
    } finally {
      lost.restore();
    }
    expect(await chainBreaks(db(), key)).toEqual([]);
    expect(await footprint(db(), key)).toEqual({ revision: 5, live: Number(ids[1]!.slice(4)), entries: 5, audits: 5, gaps: 0 });
  });

  it("commits nothing of a tail that fails after its transaction ended: no audit entry, no moved pointer, no taken sequence", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 2, "partial");
    const key = Number(deploymentId.slice(4));
    const before = await footprint(db(), key);
    // The tail's log insert fails (a version that does not exist breaks its foreign key) after
    // the audit entry, the pointer and the counter have been sent.
    const lost = loseNextTransaction(db());
    const store = db().store;
    const write = store.write.bind(store);
    store.write = ((work: WorkFn) =>
      write(async (tx) => {
        const done = await work(tx);
        if (done.append?.change) done.append.change.liveVersionId = 999_999_999;
        return done;
      })) as typeof store.write;
    try {
      const moved = await server.gql(ROLLBACK, { input: { deploymentId } });
      expect(moved.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    } finally {
      store.write = write;
      lost.restore();
    }
    expect(await footprint(db(), key)).toEqual(before);
    expect(before.live).toBe(Number(ids[2]!.slice(4)));
  });
});

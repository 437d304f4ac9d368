import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Pool } from "mysql2";
import type { DataSource, DataSourceOptions, EntityManager } from "typeorm";
import type { DatabaseConfig } from "../config";
import { clusterNodeOf, NO_CLUSTER, type ClusterNode } from "./cluster";
import { mysqlOptions, openDataSource, sqliteOptions } from "./data-source";
import { withMigrationLock } from "./migration-lock";
import { MysqlWriteStore } from "./mysql-store";
import { SqliteWriteStore } from "./sqlite-store";
import { tablesOf, type Tables } from "./tables";
import { withRetries, type WriteStore, type WriteTx } from "./write-store";
import { ReadGate, asWriter, untimed } from "./read-gate";
import { gatedMysql2 } from "./mysql-pool";

export { RetryTransaction } from "./write-store";

/**
 * The store behind every service, its dialect decided once, when it opens. Reads use `reader`;
 * the version history (versions, the live pointer, the log, settings) is written through
 * `store` only; `transaction` serves the few writes outside that history (API keys, workspaces).
 */
export interface Database {
  readonly dialect: "mysql" | "sqlite";
  /** The MySQL connection pool (for its metrics and the key-table check); null on SQLite. */
  readonly pool: Pool | null;
  readonly reader: EntityManager;
  readonly dataSource: DataSource;
  /** Column lists and row mappers of the written tables, from the entities' metadata. */
  readonly tables: Tables;
  /**
   * Committed rows, read as the write path reads them (plain SQL, the tables' row mappers), and
   * never older than a change acknowledged before the read started, whichever node of a cluster
   * acknowledged it (idempotency lookups, dry runs).
   */
  readonly reads: Pick<WriteTx, "rows" | "tables">;
  /** The database server as one node of a cluster (Galera), or as the only server. */
  readonly cluster: ClusterNode;
  readonly store: WriteStore;
  /** A TypeORM transaction, taking its turn with the store's writes (SQLite) or retried on deadlock (MySQL). */
  write<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
  /**
   * Applies pending migrations, then runs `andThen` while still holding the migration lock (so
   * instances starting together bootstrap once); returns the names of the migrations it ran.
   */
  migrate(andThen?: () => Promise<void>): Promise<string[]>;
  close(): Promise<void>;
}

const MIGRATION_LOCK = "waymark_migrations";
/** How long an instance waits at start for its Galera node to finish joining the cluster. */
const JOIN_WAIT_MS = 180_000;

/** Resolves once the node may take traffic (at once off Galera): a node still joining answers no queries. */
async function untilSynced(cluster: ClusterNode): Promise<void> {
  const deadline = Date.now() + JOIN_WAIT_MS;
  for (let problem = await cluster.problem(); problem; problem = await cluster.problem()) {
    if (Date.now() > deadline) throw new Error(problem);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Migrations may wait for the lock and run long ALTERs: their statements have no time limit. */
const asMigration = <T>(work: () => Promise<T>): Promise<T> => untimed(() => asWriter(work));

async function openMysql(url: string, poolSize: number, warn: (message: string) => void): Promise<Database> {
  // The pool is made by the store's mysql2 module (mysql-pool.ts): gated, bounded and watched.
  const pools = gatedMysql2(new ReadGate(poolSize, (refused) => warn(`database pool saturated: ${refused} read(s) refused as UNAVAILABLE`)));
  const dataSource = await openDataSource({ ...(await mysqlOptions(url, poolSize)), driver: pools.driver } as DataSourceOptions);
  const tables = tablesOf(dataSource);
  const cluster = await clusterNodeOf(dataSource);
  return {
    dialect: "mysql",
    pool: pools.pool,
    reader: dataSource.manager,
    dataSource,
    tables,
    reads: { tables, rows: (sql, params) => dataSource.query(cluster.causal + sql, [...params]) },
    cluster,
    // Its writes take their connection from the writers' share, outside any request's read budget.
    store: new MysqlWriteStore(dataSource, tables, cluster),
    write: (work) => asWriter(() => withRetries(() => dataSource.transaction("READ COMMITTED", work))),
    migrate: (andThen) =>
      asMigration(async () => {
        await untilSynced(cluster);
        // TypeORM has no migration lock; instances that start together take turns on a leased row.
        return withMigrationLock(dataSource, MIGRATION_LOCK, async () => {
          const ran = await dataSource.runMigrations({ transaction: "each" });
          await andThen?.();
          return ran.map((m) => m.name);
        });
      }),
    close: () => dataSource.destroy(),
  };
}

async function openSqlite(path: string): Promise<Database> {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const dataSource = await openDataSource(sqliteOptions(path, false));
  const tables = tablesOf(dataSource);
  const store = new SqliteWriteStore(dataSource, tables);
  let reader = dataSource;
  return {
    dialect: "sqlite",
    pool: null,
    get reader() {
      return reader.manager;
    },
    dataSource,
    tables,
    reads: { tables, rows: (sql, params) => reader.query(sql, [...params]) },
    cluster: NO_CLUSTER,
    store,
    write: (work) => store.serialise(() => dataSource.transaction(work)),
    async migrate(andThen) {
      const ran = await dataSource.runMigrations({ transaction: "each" });
      await andThen?.();
      // A second, read-only connection sees only committed rows (WAL), never the writer's open
      // transaction. The file must exist and be migrated before it opens.
      if (path !== ":memory:" && reader === dataSource) reader = await openDataSource(sqliteOptions(path, true));
      return ran.map((m) => m.name);
    },
    async close() {
      await store.drained();
      if (reader !== dataSource) await reader.destroy();
      await dataSource.destroy();
    },
  };
}

/** `warn` hears when the MySQL pool is saturated (at most once every few seconds). */
export function openDatabase(config: DatabaseConfig, poolSize = 10, warn: (message: string) => void = () => undefined): Promise<Database> {
  return config.kind === "mysql" ? openMysql(config.url, poolSize, warn) : openSqlite(config.path);
}

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DataSource, EntityManager } from "typeorm";
import type { DatabaseConfig } from "../config";
import { mysqlOptions, openDataSource, sqliteOptions } from "./data-source";
import { mysqlTransaction } from "./mysql-transaction";
import { ReadGate, asWriter } from "./read-gate";

/** Thrown inside a write transaction to have it rolled back and run again from the start. */
export class RetryTransaction extends Error {}

/**
 * The store behind every service. Reads use `reader`; every change goes through `write`, which
 * runs one transaction at a time per deployment row (MySQL: row locks, retried on deadlock;
 * SQLite: one writer, serialised in-process).
 */
export interface Database {
  readonly dialect: "mysql" | "sqlite";
  readonly reader: EntityManager;
  readonly dataSource: DataSource;
  write<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
  /**
   * Applies pending migrations, then runs `andThen` while still holding the migration lock (so
   * instances starting together bootstrap once); returns the names of the migrations it ran.
   */
  migrate(andThen?: () => Promise<void>): Promise<string[]>;
  close(): Promise<void>;
}

const MYSQL_RETRYABLE = new Set([1213 /* ER_LOCK_DEADLOCK */, 1205 /* ER_LOCK_WAIT_TIMEOUT */]);
const MAX_ATTEMPTS = 12;

function isRetryable(error: unknown): boolean {
  if (error instanceof RetryTransaction) return true;
  const errno = (error as { driverError?: { errno?: number }; errno?: number }).driverError?.errno ?? (error as { errno?: number }).errno;
  return typeof errno === "number" && MYSQL_RETRYABLE.has(errno);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      // Jittered backoff so that two transactions that deadlocked do not collide again in step.
      await pause(Math.random() * 5 * n);
    }
  }
}

const MIGRATION_LOCK = "waymark_migrations";

interface PooledConnection {
  release(): void;
}

/** Every connection TypeORM takes from the pool goes through `gate` (reads wait their turn there; writes pass). */
function gateConnections(dataSource: DataSource, gate: ReadGate): void {
  const driver = dataSource.driver as unknown as { obtainMasterConnection(): Promise<PooledConnection> };
  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = async () => {
    const { connection, done } = await gate.admit(obtain);
    if (done) {
      const release = connection.release;
      connection.release = function (this: PooledConnection) {
        connection.release = release;
        done();
        return release.call(this);
      };
    }
    return connection;
  };
}

async function openMysql(url: string, poolSize: number, warn: (message: string) => void): Promise<Database> {
  const dataSource = await openDataSource(await mysqlOptions(url, poolSize));
  gateConnections(dataSource, new ReadGate(poolSize, (refused) => warn(`database pool saturated: ${refused} read(s) refused as UNAVAILABLE`)));
  return {
    dialect: "mysql",
    reader: dataSource.manager,
    dataSource,
    write: (work) => asWriter(() => withRetries(() => mysqlTransaction(dataSource, work))),
    migrate: (andThen) => asWriter(async () => {
      // TypeORM has no migration lock; GET_LOCK makes instances that start together take turns.
      const runner = dataSource.createQueryRunner();
      try {
        const [row] = (await runner.query("SELECT GET_LOCK(?, 120) AS got", [MIGRATION_LOCK])) as Array<{ got: number }>;
        if (Number(row?.got) !== 1) throw new Error("timed out waiting for the migration lock");
        try {
          const ran = await dataSource.runMigrations({ transaction: "each" });
          await andThen?.();
          return ran.map((m) => m.name);
        } finally {
          await runner.query("SELECT RELEASE_LOCK(?)", [MIGRATION_LOCK]);
        }
      } finally {
        await runner.release();
      }
    }),
    close: () => dataSource.destroy(),
  };
}

async function openSqlite(path: string): Promise<Database> {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const dataSource = await openDataSource(sqliteOptions(path, false));
  let reader = dataSource;
  let queue: Promise<unknown> = Promise.resolve();
  const database: Database = {
    dialect: "sqlite",
    get reader() {
      return reader.manager;
    },
    dataSource,
    write(work) {
      const run = queue.then(() => withRetries(() => dataSource.transaction(work)));
      queue = run.catch(() => undefined);
      return run;
    },
    async migrate(andThen) {
      const ran = await dataSource.runMigrations({ transaction: "each" });
      await andThen?.();
      // A second, read-only connection sees only committed rows (WAL), never the writer's open
      // transaction. The file must exist and be migrated before it opens.
      if (path !== ":memory:" && reader === dataSource) reader = await openDataSource(sqliteOptions(path, true));
      return ran.map((m) => m.name);
    },
    async close() {
      await queue;
      if (reader !== dataSource) await reader.destroy();
      await dataSource.destroy();
    },
  };
  return database;
}

/** `warn` hears when the MySQL pool is saturated (at most once every few seconds). */
export function openDatabase(config: DatabaseConfig, poolSize = 10, warn: (message: string) => void = () => undefined): Promise<Database> {
  return config.kind === "mysql" ? openMysql(config.url, poolSize, warn) : openSqlite(config.path);
}

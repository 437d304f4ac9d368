import type { Database } from "../db/database";
import type { Logger } from "../logger";
import type { KeyCache } from "./key-cache";

/** How often each instance reads the key table's state: the revocation bound without Redis. */
export const KEY_TABLE_CHECK_MS = 1_000;

/**
 * What tells a cache that it may be out of date. Keys are never un-revoked or deleted, so the
 * number of revoked keys only grows: any change means a revocation, whatever the clocks of the
 * instances that wrote `revoked_at`. A new highest id means a key was created.
 */
export interface KeyTableState {
  revoked: number;
  newest: number;
}

const STATE_SQL = "SELECT COUNT(revoked_at) AS revoked, COALESCE(MAX(id), 0) AS newest FROM api_key";

interface MysqlPool {
  query(sql: string, callback: (error: Error | null, rows: unknown) => void): void;
}
interface SqliteConnection {
  prepare(sql: string): { get(): unknown };
}

/**
 * Reads the key table's state on the driver directly: a background check of one row, which
 * needs none of TypeORM's per-statement work and is no request's statement.
 */
export function keyTableStateOf(db: Database): () => Promise<KeyTableState> {
  const stateOf = (row: unknown): KeyTableState => {
    const { revoked, newest } = row as { revoked: number | string; newest: number | string };
    return { revoked: Number(revoked), newest: Number(newest) };
  };
  return () => {
    if (db.dialect === "sqlite") {
      // db.reader is looked up each time: on SQLite it becomes the read-only connection after migrating.
      const driver = db.reader.connection.driver as unknown as { databaseConnection: SqliteConnection };
      return Promise.resolve().then(() => stateOf(driver.databaseConnection.prepare(STATE_SQL).get()));
    }
    const pool = db.pool as unknown as MysqlPool;
    return new Promise((resolve, reject) => {
      pool.query(STATE_SQL, (error, rows) => (error ? reject(error) : resolve(stateOf((rows as unknown[])[0]))));
    });
  };
}

/**
 * Checks the key table once per interval (never per request) and tells the cache: drops on a
 * change, and confirms it otherwise. The first check drops too, since what was cached before it
 * has no earlier state to be compared with.
 */
export class KeyTableWatch {
  private last: KeyTableState | null = null;
  private running = false;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly read: () => Promise<KeyTableState>,
    private readonly cache: KeyCache,
    private readonly logger: Logger,
    intervalMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const startedAt = this.clock();
    try {
      const state = await this.read();
      if (state.revoked !== this.last?.revoked) this.cache.dropValid();
      if (state.newest !== this.last?.newest) this.cache.dropUnknown();
      this.last = state;
      this.cache.confirm(startedAt);
    } catch (error) {
      // Until a check succeeds again the cache stops being trusted (KeyCache's maxStaleMs).
      if (!this.stopped) this.logger.warn({ err: error }, "could not check the API key table; keys are read from the database meanwhile");
    } finally {
      this.running = false;
    }
  }
}

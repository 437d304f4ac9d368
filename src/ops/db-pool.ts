import type { Database } from "../db/database";

/** How a connection pool is used right now. */
export interface PoolUse {
  /** Connections open (idle or busy). */
  open: number;
  /** Open connections not in use. */
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
  /** Most connections the pool may open. */
  max: number;
}

/** The parts of mysql2's (callback) Pool that tell its use; they are not typed as public API. */
interface Mysql2Pool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

/**
 * The MySQL pool's use, read from mysql2's internals (it has no public accessor); null on
 * SQLite, which has one connection per data source, or if a mysql2 upgrade renames them.
 */
export function poolUseOf(db: Database): PoolUse | null {
  if (db.dialect !== "mysql") return null;
  const pool = db.pool as unknown as Mysql2Pool | null;
  if (!pool?._allConnections || !pool._freeConnections) return null;
  return {
    open: pool._allConnections.length,
    idle: pool._freeConnections.length,
    waiting: pool._connectionQueue?.length ?? 0,
    max: pool.config?.connectionLimit ?? 0,
  };
}

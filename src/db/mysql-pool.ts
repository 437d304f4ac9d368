import * as mysql2 from "mysql2";
import type { Pool, PoolConnection, PoolOptions } from "mysql2";
import { isNotAnswering } from "./deadline";
import { currentDeadline, statementLimit, type ReadGate } from "./read-gate";
import { watchPool } from "./statement-watchdog";

type Callback = (error: NodeJS.ErrnoException | null, connection: PoolConnection) => void;

/** The store's MySQL pool, made when TypeORM asks for one; null until then. */
export interface PoolHandle {
  /** The mysql2 module TypeORM is given (its `driver` option): the same, but its pools are the store's. */
  readonly driver: typeof mysql2;
  readonly pool: Pool | null;
}

/**
 * The mysql2 module handed to TypeORM through its documented `driver` option, so the pool TypeORM
 * uses is made here and follows the store's rules without touching TypeORM itself: every
 * connection is taken through the read gate (reads wait their turn, each request within its
 * budget; writes pass), and only until the request's deadline (deadline.ts): a connection that
 * arrives later goes straight back, and an attempt that timed out fails the request's further
 * statements at once. Every statement on the pool is watched (statement-watchdog.ts).
 */
export function gatedMysql2(gate: ReadGate): PoolHandle {
  const handle: { driver: typeof mysql2; pool: Pool | null } = {
    driver: {
      ...mysql2,
      createPool: ((options: PoolOptions) => {
        const pool = mysql2.createPool(options);
        watchPool(pool as unknown as Parameters<typeof watchPool>[0], statementLimit);
        gatePool(pool, gate);
        handle.pool = pool;
        return pool;
      }) as typeof mysql2.createPool,
    },
    pool: null,
  };
  return handle;
}

function gatePool(pool: Pool, gate: ReadGate): void {
  const take = pool.getConnection.bind(pool) as (callback: Callback) => void;
  const obtain = () => new Promise<PoolConnection>((resolve, reject) => take((error, connection) => (error ? reject(error) : resolve(connection))));
  const bounded = () => {
    const deadline = currentDeadline();
    if (!deadline) return obtain();
    const connecting = obtain().catch((error: unknown) => {
      if (isNotAnswering(error)) deadline.fail();
      throw error;
    });
    return deadline.bound(connecting, (late) => late.release());
  };
  (pool as unknown as { getConnection(callback: Callback): void }).getConnection = (callback: Callback) => {
    gate.admit(bounded).then(
      ({ connection, done }) => {
        if (done) {
          // Back to the pool: the gate's permit goes with it, once.
          const release = connection.release;
          connection.release = function (this: PoolConnection) {
            connection.release = release;
            done();
            return release.call(this);
          };
        }
        callback(null, connection);
      },
      (error: NodeJS.ErrnoException) => callback(error, undefined as unknown as PoolConnection),
    );
  };
}

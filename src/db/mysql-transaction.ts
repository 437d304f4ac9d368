import type { DataSource, EntityManager } from "typeorm";
import { registerMysqlTransaction, sendMysql, type Mysql2Connection, type MysqlTransaction } from "./sql";

/** Connections whose session already runs transactions at READ COMMITTED. */
const readCommitted = new WeakSet<object>();

/**
 * A write transaction at READ COMMITTED on one pooled connection, in fewer round trips than
 * TypeORM's `transaction()` (SET TRANSACTION ISOLATION LEVEL, START TRANSACTION, …, COMMIT,
 * each awaited):
 * - the isolation level is set once per connection, for its session (the app's reads are
 *   single autocommitted statements, for which READ COMMITTED and REPEATABLE READ agree);
 * - START TRANSACTION is not awaited: the work's first statement queues behind it, and if it
 *   fails the connection is closed before anything else is sent (`sendMysql`'s `fatal`);
 * - work that commits itself (`WriteSql.burst` with `commit`) saves the separate COMMIT.
 * The EntityManager handed to `work` is TypeORM's, marked as in a transaction, so repository
 * calls inside it run on this connection and open no transaction of their own.
 */
export async function mysqlTransaction<T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const options = dataSource.options as { maxQueryExecutionTime?: number; enableQueryTimeout?: boolean };
  let begun: Promise<unknown> | undefined;
  try {
    const connection = (await runner.connect()) as Mysql2Connection;
    const tx: MysqlTransaction = { connection, timeout: options.enableQueryTimeout ? options.maxQueryExecutionTime : undefined, committed: false };
    registerMysqlTransaction(runner, tx);
    const session = readCommitted.has(connection) ? [] : [sendMysql(tx, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", [], true)];
    begun = Promise.all([...session, sendMysql(tx, "START TRANSACTION", [], true)]).then(() => readCommitted.add(connection));
    begun.catch(() => undefined); // awaited below; this only marks it handled meanwhile
    (runner as { isTransactionActive: boolean }).isTransactionActive = true;
    const result = await work(runner.manager);
    await begun;
    if (!tx.committed) await sendMysql(tx, "COMMIT", []);
    (runner as { isTransactionActive: boolean }).isTransactionActive = false;
    return result;
  } catch (error) {
    if (runner.isTransactionActive) {
      await runner.query("ROLLBACK").catch(() => undefined);
      (runner as { isTransactionActive: boolean }).isTransactionActive = false;
    }
    // If START TRANSACTION (or the session setting) failed, the connection was closed and the
    // work failed only because of that: report the first cause.
    const startError = begun ? await begun.then(() => null, (e: unknown) => e) : null;
    throw startError ?? error;
  } finally {
    await runner.release();
  }
}

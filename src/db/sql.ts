import { QueryFailedError, type EntityManager, type QueryRunner } from "typeorm";

/** What a data-changing statement reports back. */
export interface RunResult {
  /** The generated key of an INSERT (MySQL: LAST_INSERT_ID() after the statement). */
  insertId: number;
  affected: number;
}

export type Statement = [sql: string, params: readonly unknown[]];

/**
 * Parameterised SQL on the connection of a write transaction, without TypeORM's query
 * builder: the write path sends a handful of fixed statements, and building them through the
 * builder (and hydrating its results) cost more CPU than the rest of a createVersion.
 * Errors are wrapped as TypeORM wraps them, so retry and error mapping see one shape.
 */
export interface WriteSql {
  rows<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  run(sql: string, params: readonly unknown[]): Promise<RunResult>;
  /**
   * Sends the statements back to back and, with `commit`, commits the transaction after them.
   * MySQL: all are queued on the connection at once, which sends each as the one before it
   * answers, with no trip through the event loop in between; if one fails, the connection is
   * closed before the next is sent, so nothing after it runs and the server rolls the whole
   * transaction back (a deadlock has already ended the transaction by then, and a statement
   * sent after it would run on its own, autocommitted). SQLite: one after the other; the
   * commit is left to `Database.write`.
   */
  burst(statements: Statement[], options?: BurstOptions): Promise<RunResult[]>;
}

export interface BurstOptions {
  /** Commit the transaction after the statements (MySQL; on SQLite `Database.write` commits). */
  commit?: boolean;
  /**
   * Asked when every statement succeeded but COMMIT's answer did not arrive (the connection
   * dropped or timed out after sending it), so that the database may or may not have committed:
   * resolves true when it finds, on another connection, that it did. The burst then succeeds
   * instead of reporting a failure for a change that was made.
   */
  confirm?: (results: RunResult[]) => Promise<boolean>;
}

export interface Mysql2Connection {
  query(options: { sql: string; timeout?: number }, values: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
  execute(options: { sql: string; timeout?: number }, values: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
  destroy(): void;
}

/** Per write transaction on MySQL: the connection, whether it has committed yet. */
export interface MysqlTransaction {
  connection: Mysql2Connection;
  timeout: number | undefined;
  committed: boolean;
}

const mysqlTransactions = new WeakMap<QueryRunner, MysqlTransaction>();

export function registerMysqlTransaction(runner: QueryRunner, transaction: MysqlTransaction): void {
  mysqlTransactions.set(runner, transaction);
}

/**
 * One statement on a mysql2 connection. With parameters it is a prepared statement (mysql2
 * prepares each text once per connection): the write path's statements are a small fixed set,
 * and MariaDB then neither parses them nor unescapes the JSON documents in them again.
 * `fatal`: on failure, close the connection at once, from mysql2's own callback, before it
 * starts the next queued statement.
 */
export function sendMysql(tx: Pick<MysqlTransaction, "connection" | "timeout">, sql: string, params: readonly unknown[], fatal = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const send = params.length > 0 ? tx.connection.execute : tx.connection.query;
    const fail = (error: unknown) => {
      if (fatal) tx.connection.destroy();
      reject(new QueryFailedError(sql, [...params], error as Error));
    };
    try {
      send.call(tx.connection, { sql, timeout: tx.timeout }, params, (error, result) => (error ? fail(error) : resolve(result)));
    } catch (error) {
      // mysql2 throws before queueing (an undefined parameter, say): the statements queued
      // after this one must not run either.
      fail(error);
    }
  });
}

const runResult = (header: unknown): RunResult => {
  const h = header as { insertId: number; affectedRows: number };
  return { insertId: Number(h.insertId), affected: h.affectedRows };
};

export function sqlOf(tx: EntityManager): WriteSql {
  const runner = tx.queryRunner;
  if (!runner) throw new Error("sqlOf needs the EntityManager of a transaction");
  const mysql = mysqlTransactions.get(runner);
  if (!mysql) {
    // SQLite (in-process, synchronous underneath): TypeORM's runner adds little here, and
    // keeps its statement cache and boolean binding.
    const run = async (sql: string, params: readonly unknown[]): Promise<RunResult> => {
      const result = await runner.query(sql, [...params], true);
      return { insertId: Number(result.raw), affected: result.affected ?? 0 };
    };
    return {
      rows: async <T>(sql: string, params: readonly unknown[]) => (await runner.query(sql, [...params], true)).records as T[],
      run,
      async burst(statements) {
        const results: RunResult[] = [];
        for (const [sql, params] of statements) results.push(await run(sql, params));
        return results;
      },
    };
  }
  return {
    rows: async <T>(sql: string, params: readonly unknown[]) => (await sendMysql(mysql, sql, params)) as T[],
    run: async (sql, params) => runResult(await sendMysql(mysql, sql, params)),
    async burst(statements, options = {}) {
      const sent = statements.map(([sql, params]) => sendMysql(mysql, sql, params, true));
      const commit = options.commit ? sendMysql(mysql, "COMMIT", [], true) : null;
      // Awaited below once the statements are in; if one of them fails, COMMIT is never sent.
      commit?.catch(() => undefined);
      const results = (await Promise.all(sent)).map(runResult);
      if (!commit) return results;
      try {
        await commit;
      } catch (error) {
        if (!(await options.confirm?.(results).catch(() => false))) throw error;
      }
      mysql.committed = true;
      return results;
    },
  };
}

/** A JSON column's value as read: MariaDB keeps JSON as text, MySQL 8 hands it back parsed. */
export function jsonOf<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** A JSON column's value to write; null stays SQL NULL, as TypeORM writes it. */
export function jsonParam(value: unknown): string | null {
  return value == null ? null : JSON.stringify(value);
}

/** An epoch-milliseconds column (columns.ts) as a Date. */
export function dateOf(value: unknown): Date {
  return new Date(Number(value));
}

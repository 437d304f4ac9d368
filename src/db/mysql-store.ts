import { QueryFailedError, type DataSource } from "typeorm";
import { LiveChangeEntity } from "../live/live-change.entity";
import { outboxStatement } from "../webhook/outbox";
import { asWriter } from "./read-gate";
import type { ClusterNode } from "./cluster";
import type { Tables } from "./tables";
import {
  answeredWithError,
  applyToRow,
  auditStatements,
  writtenOf,
  changesOf,
  checkAppend,
  checkDeploymentUpdated,
  deploymentUpdate,
  isRetryable,
  retryOnTwin,
  unchangedRecord,
  withRetries,
  QueuedDeliveries,
  type Append,
  type ChangeFields,
  type RunResult,
  type Statement,
  type WriteStore,
  type WriteTx,
  type Written,
  type Work,
} from "./write-store";

interface Mysql2Connection {
  query(options: { sql: string }, values: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
  execute(options: { sql: string }, values: readonly unknown[], callback: (error: Error | null, result: unknown) => void): void;
  destroy(): void;
}

interface Session {
  connection: Mysql2Connection;
}

/**
 * One statement on a mysql2 connection. With parameters it is a prepared statement (mysql2
 * prepares each text once per connection): the write path's statements are a small fixed set,
 * and MariaDB then neither parses them nor unescapes the JSON documents in them again.
 * `fatal`: on failure, close the connection at once, from mysql2's own callback, before it
 * starts the next queued statement. Errors are wrapped as TypeORM wraps them, so retries and
 * error mapping see one shape.
 */
function send(session: Session, sql: string, params: readonly unknown[], fatal = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const { connection } = session;
    const method = params.length > 0 ? connection.execute : connection.query;
    const fail = (error: unknown) => {
      if (fatal) connection.destroy();
      reject(new QueryFailedError(sql, [...params], error as Error));
    };
    try {
      method.call(connection, { sql }, params, (error, result) => (error ? fail(error) : resolve(result)));
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

/**
 * The tail's statements, in order: `head` (the append's own statements, the audit entries and the
 * deployment's compare-and-set, at `updateAt`), then `rest` (the counter and log entries, the
 * idempotency record, the webhook outbox rows), which starts at `counterAt`.
 */
interface Tail {
  head: Statement[];
  rest: Statement[];
  updateAt: number | undefined;
  counterAt: number;
  /** Where the outbox INSERTs stand among the results. */
  outboxAt: number[];
}

/**
 * The MySQL write store. Each write is one READ COMMITTED transaction on one pooled connection,
 * in fewer round trips than TypeORM's `transaction()` (each of whose statements is awaited):
 * - the isolation level is set once per connection, for its session (the app's reads are
 *   single autocommitted statements, for which READ COMMITTED and REPEATABLE READ agree);
 * - the statement that begins the transaction (`begin`) is not awaited: the work queues behind it;
 * - the tail and COMMIT are queued on the connection at once, which sends each as the one before
 *   it answers, with no trip through the event loop in between. If one fails, the connection is
 *   closed before the next is sent, so nothing after it runs and the server rolls the whole
 *   transaction back (a deadlock has already ended it by then, and a statement sent after it
 *   would run on its own, autocommitted).
 * - on Galera, autocommit is off while the write runs (and back on before the connection returns
 *   to the pool), and the transaction begins with the work's first statement: a Galera node can end the transaction without a word when it aborts it (a replicated
 *   write needed its locks) while a SELECT of the work is running; the SELECT still answers its
 *   rows, and no later statement is refused. With autocommit on, each statement after it would
 *   commit on its own (an audit entry, a moved pointer, a taken sequence number, with no log
 *   entry). With it off they form a new transaction that only this store's COMMIT commits, and
 *   the deployment's compare-and-set on its revision (`deploymentUpdate`), sent and checked
 *   before the counter, refuses it when the row has moved on since the work read it.
 * The work sees only this connection, never a TypeORM EntityManager, so nothing can run outside it.
 */
export class MysqlWriteStore implements WriteStore {
  /** Connections whose session already runs transactions at READ COMMITTED. */
  private readonly readCommitted = new WeakSet<object>();
  readonly queued = new QueuedDeliveries();

  constructor(
    private readonly dataSource: DataSource,
    private readonly tables: Tables,
    private readonly cluster: Pick<ClusterNode, "causal" | "galera">,
  ) {}

  /** Takes its connection from the writers' share of the pool (read-gate.ts), outside any request's read budget. */
  write<T>(work: (tx: WriteTx) => Promise<Work<T>>): Promise<Written<T>> {
    // A write takes its connection from the writers' share of the pool, outside any request's read budget.
    return asWriter(() => withRetries(() => this.attempt(work)));
  }

  private async attempt<T>(work: (tx: WriteTx) => Promise<Work<T>>): Promise<Written<T>> {
    const runner = this.dataSource.createQueryRunner();
    let begun: Promise<unknown> | undefined;
    let session: Session | undefined;
    let open = false;
    try {
      session = { connection: (await runner.connect()) as Mysql2Connection };
      const { connection } = session;
      const setting = this.readCommitted.has(connection) ? [] : [send(session, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", [], true)];
      begun = Promise.all([...setting, ...this.caughtUp(session), send(session, this.begin, [], true)]).then(() => this.readCommitted.add(connection));
      begun.catch(() => undefined); // awaited below; this only marks it handled meanwhile
      open = true;
      const { result, append } = await work(this.txOf(session));
      await begun;
      const { changes, deliveries } = await this.commit(session, append).catch((error: unknown) => retryOnTwin(append, error));
      open = false;
      await this.autocommitAgain(session);
      applyToRow(append);
      this.queued.committed(deliveries);
      return writtenOf(result, changes);
    } catch (error) {
      if (open && session)
        await send(session, "ROLLBACK", [], true).then(
          () => this.autocommitAgain(session!),
          () => undefined,
        );
      // If turning autocommit off (or the session setting) failed, the connection was closed and the
      // work failed only because of that: report the first cause.
      const startError = begun
        ? await begun.then(
            () => null,
            (e: unknown) => e,
          )
        : null;
      throw startError ?? error;
    } finally {
      await runner.release();
    }
  }

  /**
   * On Galera, a statement queued before the transaction begins (before autocommit goes off) that waits until this node has applied
   * every change committed anywhere before it: a compare-and-set or an idempotency check must not
   * judge a version of the row older than one already acknowledged through another node. (Inside
   * a transaction Galera does not wait; a stale read that went on to write would be caught by
   * certification anyway, but a refusal, written nowhere, would not.) Nothing elsewhere.
   */
  private caughtUp(session: Session): Array<Promise<unknown>> {
    return this.cluster.causal ? [send(session, `${this.cluster.causal}SELECT 1`, [], true)] : [];
  }

  /**
   * Turns autocommit back on for the pool's other users, once the transaction has ended (on a
   * transaction still open it would commit it). If that fails the connection is closed, so it never
   * returns to the pool with autocommit off.
   */
  private autocommitAgain(session: Session): Promise<unknown> {
    if (!this.cluster.galera) return Promise.resolve();
    return send(session, "SET autocommit = 1", [], true).catch(() => undefined);
  }

  /**
   * How a transaction begins. On Galera, by turning autocommit off (see the class comment: the
   * node may end the transaction without a word). A single server never does that (a deadlock or
   * a lock-wait timeout is answered as an error, and the burst stops at the first one), so there a
   * plain START TRANSACTION does, one statement instead of two.
   */
  private get begin(): string {
    return this.cluster.galera ? "SET autocommit = 0" : "START TRANSACTION";
  }

  private txOf(session: Session): WriteTx {
    const run = async (sql: string, params: readonly unknown[]) => runResult(await send(session, sql, params));
    return {
      tables: this.tables,
      forUpdate: " FOR UPDATE",
      rows: async <R>(sql: string, params: readonly unknown[]) => (await send(session, sql, params)) as R[],
      run,
      insert: async (table, row) => (await run(...table.insert(row))).insertId,
    };
  }

  /**
   * Sends the tail and COMMIT in one burst; returns the appended log entries. What a failure means:
   * - a tail statement failed (a deadlock, a duplicate counter value, a lost connection): COMMIT
   *   was never sent, the connection is closed, and the server rolls back: not committed;
   * - the server answered COMMIT with a conflict (a Galera certification failure): not committed;
   * - COMMIT got no answer, or another error: unknown outcome, settled by asking the database (`committed`).
   * Only "not committed" failures are retried (`withRetries`). Also returns how many webhook
   * deliveries the outbox INSERTs queued.
   */
  private async commit(session: Session, append: Append | undefined): Promise<{ changes: LiveChangeEntity[]; deliveries: number }> {
    const tail = this.tailOf(append);
    const head = tail.head.map(([sql, params]) => send(session, sql, params, true));
    if (tail.updateAt !== undefined) {
      // The deployment's row is locked already (by the work), so waiting for its answer keeps no
      // one waiting longer; the counter is taken only once the compare-and-set has held.
      checkDeploymentUpdated(runResult((await Promise.all(head))[tail.updateAt]));
    }
    const sent = [...head, ...tail.rest.map(([sql, params]) => send(session, sql, params, true))];
    const commit = send(session, "COMMIT", [], true);
    // Awaited below once the statements are in; if one of them fails, COMMIT is never sent.
    commit.catch(() => undefined);
    const results = (await Promise.all(sent)).map(runResult);
    const changes = changesOf(append);
    // Each change took three statements (counter UPDATE, INSERT, outbox); only the last one has an
    // idempotency record after its INSERT, so the stride holds for every change's first two.
    const appended = changes.map((change, i) => {
      const [counter, entry] = results.slice(tail.counterAt + 3 * i);
      return Object.assign(new LiveChangeEntity(), { details: null }, change, { id: entry!.insertId, sequence: counter!.insertId });
    });
    const last = appended.at(-1);
    const deliveries = tail.outboxAt.reduce((sum, at) => sum + results[at]!.affected, 0);
    try {
      await commit;
    } catch (error) {
      // The server refused the COMMIT as a conflict (on Galera, a certification failure: another
      // node committed a conflicting change first): nothing was committed, and the write runs again.
      if (answeredWithError(error) && isRetryable(error)) throw error;
      // COMMIT's answer did not arrive (the connection dropped or timed out after sending it):
      // the database may or may not have committed. Ask it, on another connection.
      if (!last || !(await this.committed(last.workspaceId, last.id, last.sequence).catch(() => false))) throw error;
    }
    return { changes: appended, deliveries };
  }

  private tailOf(append: Append | undefined): Tail {
    checkAppend(append);
    const head = [...(append?.statements ?? []), ...auditStatements(this.tables, append)];
    const updateAt = append?.deployment ? head.push(deploymentUpdate(this.tables, append.deployment)) - 1 : undefined;
    // Per change: its counter UPDATE, its log INSERT, then (the last change only) the idempotency
    // record, which reads that INSERT's id from LAST_INSERT_ID(), and last the webhook outbox rows,
    // found through the counter (webhook/outbox.ts): three statements per change, four for the last
    // with a key.
    const rest: Statement[] = [];
    const outboxAt: number[] = [];
    const changes = changesOf(append);
    changes.forEach((change, i) => {
      rest.push(...this.logStatements(change));
      if (i === changes.length - 1 && append?.idempotency && append.change) rest.push(this.idempotencyStatement(append.change, append.idempotency));
      outboxAt.push(head.length + rest.push(outboxStatement(change, append!.deployment!.row.flowName)) - 1);
    });
    // A write that appends no change but answers a key records what it did instead (unchangedRecord).
    const record = unchangedRecord(append);
    if (record) rest.push(this.tables.idempotency.insert(record));
    return { head, rest, updateAt, counterAt: head.length, outboxAt };
  }

  /**
   * The counter UPDATE hands the new value back as its insert id (LAST_INSERT_ID(expr)); the log
   * insert reads it from the row it locked and leaves its own id in LAST_INSERT_ID() for the
   * idempotency record. So no statement needs an answer before it is sent, and the counter row
   * stays locked for the server's time on these statements and the COMMIT, not for ours.
   */
  private logStatements(change: ChangeFields): Statement[] {
    const { workspaceId } = change;
    return [
      ["UPDATE workspace SET last_sequence = LAST_INSERT_ID(last_sequence + 1) WHERE id = ?", [workspaceId]],
      // The sequence is read back from the row, not from LAST_INSERT_ID(): had the UPDATE
      // matched no row, LAST_INSERT_ID() would still hold an earlier id, while this reads NULL,
      // which the NOT NULL column refuses, and the burst stops before COMMIT.
      this.tables.change.insert(change, { sequence: ["(SELECT last_sequence FROM workspace WHERE id = ?)", [workspaceId]] }),
    ];
  }

  /** Sent right after the last log INSERT, whose id LAST_INSERT_ID() still holds. */
  private idempotencyStatement(change: ChangeFields, idempotency: NonNullable<Append["idempotency"]>): Statement {
    return this.tables.idempotency.insert({ ...idempotency, workspaceId: change.workspaceId, createdAt: change.at }, { changeId: ["LAST_INSERT_ID()", []] });
  }

  /**
   * Whether log entry `id` with `sequence` was committed, asked on another connection after a
   * COMMIT whose answer was lost. The share lock on the workspace row waits until the transaction
   * that holds its counter has ended, committed or rolled back, so the answer is final. Each
   * statement has the usual time limit (statement-watchdog.ts); if the database cannot answer, the
   * COMMIT's own error (UNAVAILABLE) stands.
   */
  private async committed(workspaceId: number, id: number | undefined, sequence: number | undefined): Promise<boolean> {
    if (id === undefined || sequence === undefined) return false;
    await this.dataSource.query("SELECT last_sequence FROM workspace WHERE id = ? LOCK IN SHARE MODE", [workspaceId]);
    const found = (await this.dataSource.query(`${this.cluster.causal}SELECT id FROM live_version_change WHERE id = ? AND workspace_id = ? AND sequence = ?`, [
      id,
      workspaceId,
      sequence,
    ])) as unknown[];
    return found.length > 0;
  }
}

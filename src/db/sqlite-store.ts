import type { DataSource, QueryRunner } from "typeorm";
import { LiveChangeEntity } from "../live/live-change.entity";
import { outboxStatement } from "../webhook/outbox";
import type { Tables } from "./tables";
import {
  applyToRow,
  auditStatements,
  writtenOf,
  changesOf,
  checkAppend,
  checkDeploymentUpdated,
  deploymentUpdate,
  retryOnTwin,
  unchangedRecord,
  withRetries,
  QueuedDeliveries,
  type Append,
  type RunResult,
  type WriteStore,
  type WriteTx,
  type Written,
  type Work,
} from "./write-store";

/**
 * The SQLite write store. better-sqlite3 has one connection and concurrent transactions on it
 * corrupt each other, so every write (this store's and `Database.transaction`'s) waits its turn
 * in one queue; reads go to a separate read-only WAL connection and never see an open write.
 * There are no row locks to take, and the statements run in-process, so the tail is simply run
 * one statement after the other and the transaction committed after it.
 */
export class SqliteWriteStore implements WriteStore {
  private queue: Promise<unknown> = Promise.resolve();
  readonly queued = new QueuedDeliveries();

  constructor(
    private readonly dataSource: DataSource,
    private readonly tables: Tables,
  ) {}

  /** Runs `job` after every write queued before it. */
  serialise<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every queued write has ended. */
  async drained(): Promise<void> {
    await this.queue;
  }

  write<T>(work: (tx: WriteTx) => Promise<Work<T>>): Promise<Written<T>> {
    return this.serialise(() => withRetries(() => this.attempt(work)));
  }

  private async attempt<T>(work: (tx: WriteTx) => Promise<Work<T>>): Promise<Written<T>> {
    const runner = this.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      const tx = this.txOf(runner);
      const { result, append } = await work(tx);
      const { changes, deliveries } = await this.appendIn(tx, append).catch((error: unknown) => retryOnTwin(append, error));
      await runner.commitTransaction();
      applyToRow(append);
      this.queued.committed(deliveries);
      return writtenOf(result, changes);
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private txOf(runner: QueryRunner): WriteTx {
    // TypeORM's runner adds little here, and keeps its statement cache and boolean binding.
    const run = async (sql: string, params: readonly unknown[]): Promise<RunResult> => {
      const result = await runner.query(sql, [...params], true);
      return { insertId: Number(result.raw), affected: result.affected ?? 0 };
    };
    return {
      tables: this.tables,
      forUpdate: "",
      rows: async <R>(sql: string, params: readonly unknown[]) => (await runner.query(sql, [...params], true)).records as R[],
      run,
      insert: async (table, row) => (await run(...table.insert(row))).insertId,
    };
  }

  /** Appends the tail; returns the log entries and how many webhook deliveries it queued. */
  private async appendIn(tx: WriteTx, append: Append | undefined): Promise<{ changes: LiveChangeEntity[]; deliveries: number }> {
    checkAppend(append);
    for (const statement of [...(append?.statements ?? []), ...auditStatements(this.tables, append)]) await tx.run(...statement);
    if (append?.deployment) checkDeploymentUpdated(await tx.run(...deploymentUpdate(this.tables, append.deployment)));
    const record = unchangedRecord(append);
    if (record) await tx.insert(this.tables.idempotency, record);
    const appended: LiveChangeEntity[] = [];
    let deliveries = 0;
    for (const change of changesOf(append)) {
      const [counter] = await tx.rows<{ last_sequence: number }>(
        "UPDATE workspace SET last_sequence = last_sequence + 1 WHERE id = ? RETURNING last_sequence",
        [change.workspaceId],
      );
      if (!counter) throw new Error(`workspace ${change.workspaceId} is missing`);
      const sequence = Number(counter.last_sequence);
      const id = await tx.insert(this.tables.change, { ...change, sequence });
      appended.push(Object.assign(new LiveChangeEntity(), { details: null }, change, { id, sequence }));
      // Found through the counter just taken, so it runs right after its own change (webhook/outbox.ts).
      deliveries += (await tx.run(...outboxStatement(change, append!.deployment!.row.flowName))).affected;
    }
    const last = appended.at(-1);
    if (append?.idempotency && last)
      await tx.insert(this.tables.idempotency, { ...append.idempotency, workspaceId: last.workspaceId, changeId: last.id, createdAt: last.at });
    return { changes: appended, deliveries };
  }
}

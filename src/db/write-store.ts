import type { AuditEntryEntity } from "../audit/audit-entry.entity";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import type { LiveChangeEntity } from "../live/live-change.entity";
import type { IdempotencyKeyEntity } from "../version/idempotency-key.entity";
import type { ObjectLiteral } from "typeorm";
import type { Table, Tables } from "./tables";
import { isUniqueViolation } from "./unique-violation";

/** What a data-changing statement reports back. */
export interface RunResult {
  /** The generated key of an INSERT. */
  insertId: number;
  affected: number;
}

export type Statement = [sql: string, params: readonly unknown[]];

/**
 * The transaction a write's work runs in: plain parameterised SQL on its one connection (on
 * MySQL, prepared statements), with the tables' column lists and row mappers at hand.
 */
export interface WriteTx {
  readonly tables: Tables;
  /** Appended to a SELECT that must lock the rows it reads until the transaction ends ("" where writes are serialised). */
  readonly forUpdate: string;
  rows<T = Record<string, unknown>>(sql: string, params: readonly unknown[]): Promise<T[]>;
  run(sql: string, params: readonly unknown[]): Promise<RunResult>;
  /** Inserts a row (every column but the generated key); returns the new key. */
  insert<E extends ObjectLiteral>(table: Table<E>, row: Partial<E>): Promise<number>;
}

/** The live-log entry a write appends; the store gives it its id and sequence. */
export type ChangeFields = Pick<LiveChangeEntity, "workspaceId" | "deploymentId" | "kind" | "previousVersionId" | "liveVersionId" | "actor" | "reason" | "at"> &
  Partial<Pick<LiveChangeEntity, "details">>;

/** An audit entry a write appends (audit/audit-entry.entity.ts); the store gives it its id. */
export type AuditFields = Omit<AuditEntryEntity, "id">;

/**
 * What a write must append once its work has decided, sent by the store as its last statements
 * before COMMIT, without waiting for an answer in between (so the workspace counter is locked
 * for the database's time only).
 */
export interface Append {
  /** Statements that need no answer, sent first. */
  statements?: Statement[];
  /**
   * Changes to the deployment row the work locked. The store adds `revision = revision + 1`, so
   * no write to a deployment leaves its revision unchanged, and applies both to `row`.
   */
  deployment?: { row: DeploymentEntity; set: Partial<DeploymentEntity> };
  /** Live-log entries of the same deployment appended before `change`, in order (e.g. the settings a createVersion changed). */
  earlier?: ChangeFields[];
  /** The live-log entry; its sequence comes from the workspace's counter, taken here, last. */
  change?: ChangeFields;
  /** The audit entries of this write: committed with it or not at all. */
  audit?: AuditFields[];
  /**
   * Remembers the request under its idempotency key, pointing at `change`; a write that appends
   * no change gives the `changeId` to record instead (see IdempotencyKeyEntity) and `at`.
   */
  idempotency?: { key: string; requestHash: string; versionId: number; changeId?: number; at?: Date };
}

/** What a write's work returns: its result, and what the store must append before committing. */
export interface Work<T> {
  result: T;
  append?: Append;
}

export interface Written<T> {
  result: T;
  /** The appended live-log entry, when there was one. */
  change: LiveChangeEntity | null;
  /** The entries appended before `change` (Append.earlier), when there were any. */
  earlier?: LiveChangeEntity[];
}

/**
 * The one way the history is written. The work reads and locks what it needs and returns what
 * must be appended; only the store sends that tail (deployment row, counter, log, idempotency
 * record) and commits. A deadlock, a lock timeout, a `RetryTransaction`, or an idempotency key
 * a twin request committed first, runs the work again from the start.
 */
export interface WriteStore {
  write<T>(work: (tx: WriteTx) => Promise<Work<T>>): Promise<Written<T>>;
  /** Hears every commit that queued webhook deliveries. */
  readonly queued: QueuedDeliveries;
}

/**
 * Tells this instance's delivery worker (webhook/delivery-worker.ts) that a commit queued
 * deliveries, so it looks at once instead of at its next poll. Only such commits: the store knows
 * from the outbox INSERT's row count, so a change with no webhook to hear it costs no poll.
 */
export class QueuedDeliveries {
  private readonly listeners = new Set<() => void>();

  /** Returns the function that stops listening. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called by the store after a commit whose outbox INSERTs added `rows` deliveries. A listener
   * that throws is ignored: the write has committed, and its caller must hear so (the worker's
   * poll sends the deliveries anyway).
   */
  committed(rows: number): void {
    if (rows === 0) return;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // Only a nudge failed; see above.
      }
    }
  }
}

/** Thrown inside a write's work to have it rolled back and run again from the start. */
export class RetryTransaction extends Error {}

const MYSQL_RETRYABLE = new Set([1213 /* ER_LOCK_DEADLOCK, also Galera's certification failure */, 1205 /* ER_LOCK_WAIT_TIMEOUT */]);
/**
 * The unique keys a counter guards (version numbers, workspace sequences). Locks make a clash on
 * them impossible on one server; on Galera, two nodes can each hand out the same next number
 * before either commits, and the one that loses meets the other's row as a duplicate: its
 * transaction did not commit, and runs again on the newer counter.
 */
const COUNTER_KEYS = /\b(uq_change_sequence|uq_version_number)\b/;
const MAX_ATTEMPTS = 12;
const MAX_PAUSE_MS = 200;

const driverOf = (error: unknown) =>
  ((error as { driverError?: object }).driverError ?? error) as { errno?: number; code?: string; message?: string; sqlState?: string; fatal?: boolean };

/** The transaction did not commit, and running it again may succeed. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryTransaction) return true;
  const driver = driverOf(error);
  if (typeof driver.errno === "number" && MYSQL_RETRYABLE.has(driver.errno)) return true;
  return isUniqueViolation(error) && COUNTER_KEYS.test(String(driver.message ?? ""));
}

/**
 * The server answered the statement with an error (it ran, failed and, for a COMMIT, rolled
 * back), as opposed to no answer at all (connection lost, timed out), after which a COMMIT's
 * outcome is unknown.
 */
export function answeredWithError(error: unknown): boolean {
  const driver = driverOf(error);
  return typeof driver.errno === "number" && typeof driver.sqlState === "string" && driver.fatal !== true;
}

/**
 * A write that still conflicted after every attempt: nothing was committed, and the client may
 * retry. Its code is in the list the error formatter reports as UNAVAILABLE.
 */
export class ConflictsPersisted extends Error {
  readonly code = "WRITE_CONFLICTS_PERSISTED";
  constructor(override readonly cause: unknown) {
    super("the write kept conflicting with concurrent writes");
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (n >= MAX_ATTEMPTS) throw new ConflictsPersisted(error);
      // Jittered backoff so that two transactions that deadlocked do not collide again in step;
      // doubling (to at most 200 ms), so that writers that keep meeting each other's commits
      // (on Galera, through several nodes at once on one workspace) spread out.
      await pause(Math.random() * Math.min(MAX_PAUSE_MS, 5 * 2 ** (n - 1)));
    }
  }
}

/**
 * A unique violation in the tail of a write that records an idempotency key is a twin request
 * that committed the key first: run the work again, and it answers with the twin's outcome.
 */
export function retryOnTwin(append: Append | undefined, error: unknown): never {
  if (append?.idempotency && isUniqueViolation(error)) throw new RetryTransaction();
  throw error;
}

/**
 * Refuses a tail that would append to a deployment's live log without writing its row: the history
 * cache relies on every such append incrementing the deployment's revision in the same transaction.
 */
export function checkAppend(append: Append | undefined): void {
  const change = append?.change;
  if (change && append.deployment?.row.id !== change.deploymentId) throw new Error("a live change must come with an update of its deployment");
  if (append?.earlier?.length && (!change || append.earlier.some((e) => e.deploymentId !== change.deploymentId)))
    throw new Error("earlier live changes must precede a change of the same deployment");
  if (append?.idempotency && !change && (append.idempotency.changeId === undefined || !append.idempotency.at)) {
    throw new Error("an idempotency record must point at a live change, or say why there is none");
  }
}

/**
 * `UPDATE deployment SET …, revision = revision + 1` for the append's deployment changes, as a
 * compare-and-set on the revision the work read under the row's lock: it changes the row only if
 * nothing else has since (`checkDeploymentUpdated`). Inside an intact transaction that is always
 * so; it matters when the transaction ended under the work without a word (see mysql-store.ts),
 * so that a decision taken on a row that has moved on is never written.
 */
export function deploymentUpdate(tables: Tables, deployment: NonNullable<Append["deployment"]>): Statement {
  const table = tables.deployment;
  const entries = Object.entries(deployment.set) as Array<[keyof DeploymentEntity & string, unknown]>;
  const sets = entries.map(([property]) => `${table.column(property)} = ?`);
  const params = entries.map(([property, value]) => table.param(property, value));
  return [
    `UPDATE ${table.name} SET ${[...sets, "revision = revision + 1"].join(", ")} WHERE id = ? AND revision = ?`,
    [...params, deployment.row.id, deployment.row.revision],
  ];
}

/** The deployment's row was not the one the work decided on: nothing may be committed, and the work runs again. */
export function checkDeploymentUpdated(result: RunResult): void {
  if (result.affected !== 1) throw new RetryTransaction();
}

/** The INSERTs of the append's audit entries, which need no answer. */
export function auditStatements(tables: Tables, append: Append | undefined): Statement[] {
  return (append?.audit ?? []).map((entry) => tables.audit.insert(entry));
}

/** What a write reports of the log entries it appended (all but the last are `earlier`). */
export function writtenOf<T>(result: T, appended: LiveChangeEntity[]): Written<T> {
  const written: Written<T> = { result, change: appended.at(-1) ?? null };
  if (appended.length > 1) written.earlier = appended.slice(0, -1);
  return written;
}

/** Every live-log entry a write appended, in sequence order. */
export function appendedOf(written: Written<unknown>): LiveChangeEntity[] {
  return [...(written.earlier ?? []), ...(written.change ? [written.change] : [])];
}

/** The live-log entries of an append, in the order they take sequences. */
export function changesOf(append: Append | undefined): ChangeFields[] {
  return append?.change ? [...(append.earlier ?? []), append.change] : [];
}

/** The append's changes as the row now is, once committed. */
export function applyToRow(append: Append | undefined): void {
  if (!append?.deployment) return;
  const { row, set } = append.deployment;
  Object.assign(row, set, { revision: row.revision + 1 });
}

/** The idempotency record of a write that appends no live change, or null. */
export function unchangedRecord(append: Append | undefined): Partial<IdempotencyKeyEntity> | null {
  const record = append?.idempotency;
  if (!record || append.change || record.changeId === undefined) return null;
  const { at, ...fields } = record;
  const workspaceId = append.deployment?.row.workspaceId;
  if (workspaceId === undefined) throw new Error("an idempotency record without a change must come with an update of its deployment");
  return { ...fields, workspaceId, createdAt: at };
}

import { AsyncLocalStorage } from "node:async_hooks";
import { ErrorCode, WaymarkError } from "../errors";
import { BACKGROUND_STATEMENT_MS, Deadline, isNotAnswering } from "./deadline";

/** A counting semaphore with a first-come, first-served queue. */
export class Semaphore {
  private active = 0;
  private queue: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get waiting(): number {
    return this.queue.length;
  }

  acquire(): Promise<void> {
    return new Promise((resolve) => this.enqueue(resolve));
  }

  /** Calls `grant` when a permit is held: at once if one is free, else in turn. */
  enqueue(grant: () => void): void {
    if (this.active < this.limit) {
      this.active++;
      grant();
    } else this.queue.push(grant);
  }

  /** Takes a waiter out of the queue (it gave up); false if it was already granted. */
  cancel(grant: () => void): boolean {
    const at = this.queue.indexOf(grant);
    if (at >= 0) this.queue.splice(at, 1);
    return at >= 0;
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * The statements one request (or one WebSocket connection) may have on the pool at once. A
 * query fanning out to thousands of fields queues behind its own few permits instead of
 * taking every connection; once the pool refuses one of its reads, the others fail at once
 * (for REFUSED_MS, as a connection's budget lives as long as the connection).
 */
export class StatementBudget {
  readonly slots: Semaphore;
  /** Set when the pool refused one of its reads: the next ones fail at once for a moment. */
  refused: { error: WaymarkError; until: number } | null = null;

  constructor(concurrent = STATEMENTS_PER_REQUEST) {
    this.slots = new Semaphore(concurrent);
  }
}

/** Statements one request or connection may run at once; the pool has 10 connections. */
export const STATEMENTS_PER_REQUEST = 3;
/** Connections kept free of reads, so a write always finds one (reads hold the rest at most). */
export const RESERVED_FOR_WRITES = 2;
/** Reads waiting for a connection at most; past this the pool is saturated. */
export const MAX_WAITING_READS = 1_000;
/** How long a budget's reads keep failing after the pool refused one of them. */
const REFUSED_MS = 1_000;
/** Longest a read waits for a connection before it is refused. */
export const READ_WAIT_MS = 5_000;

interface GateStore {
  budget?: StatementBudget;
  writing?: boolean;
  deadline?: Deadline;
  /** Statements without a time limit (migrations, which may wait for the migration lock). */
  untimed?: boolean;
}

const store = new AsyncLocalStorage<GateStore>();

/** Runs `work` with its reads counted against `budget` (a request's, or a connection's). */
export function withStatementBudget<T>(budget: StatementBudget, work: () => T): T {
  return store.run({ ...store.getStore(), budget }, work);
}

/** Runs a write transaction: its connection is taken from the writers' share, outside any budget. */
export function asWriter<T>(work: () => T): T {
  return store.run({ ...store.getStore(), writing: true }, work);
}

/** Runs `work` (one request, or one operation on a WebSocket) with its database work bounded by a deadline. */
export function withDeadline<T>(work: () => T, deadline = new Deadline()): T {
  return store.run({ ...store.getStore(), deadline }, work);
}

/** Runs `work` as a request of its own, apart from the caller's budget and deadline (a statement shared by many callers). */
export function asOwnRequest<T>(work: () => T): T {
  return store.run({ deadline: new Deadline() }, work);
}

/** Runs `work` with no time limit on its statements. */
export function untimed<T>(work: () => T): T {
  return store.run({ ...store.getStore(), untimed: true }, work);
}

export const currentDeadline = (): Deadline | undefined => store.getStore()?.deadline;

/** How long a statement sent now may wait for its answer, and the deadline it counts against; null: no limit. */
export function statementLimit(): { ms: number; deadline: Deadline | null } | null {
  const scope = store.getStore();
  if (scope?.untimed) return null;
  return scope?.deadline ? { ms: scope.deadline.statementMs(), deadline: scope.deadline } : { ms: BACKGROUND_STATEMENT_MS, deadline: null };
}

export const poolBusy = () => new WaymarkError(ErrorCode.UNAVAILABLE, "The database is busy; retry shortly.", { retryable: true });

/** Refusals are logged at most this often, with how many there were since the last line. */
const REFUSAL_LOG_MS = 10_000;

/**
 * Admission of reads to a connection pool: at most `poolSize - RESERVED_FOR_WRITES` reads hold
 * connections at once, each request or connection at most its budget of them, in arrival order;
 * writes (`asWriter`) pass straight to the pool. A read that cannot be queued, or waits longer
 * than READ_WAIT_MS, is refused as UNAVAILABLE (retryable). A saturated pool refuses many reads
 * at once, so `warn` hears of them once, then at most once every 10 s with a count.
 */
export class ReadGate {
  private readonly reads: Semaphore;
  private refusedSinceLog = 0;
  private lastLog = -Infinity;

  constructor(
    poolSize: number,
    private readonly warn: (refused: number) => void,
    private readonly waitMs = READ_WAIT_MS,
  ) {
    this.reads = new Semaphore(Math.max(1, poolSize - RESERVED_FOR_WRITES));
  }

  /**
   * Obtains a connection through `obtain` once the read is admitted; `done` (null for a write)
   * must be called exactly when the connection goes back to the pool.
   */
  async admit<C>(obtain: () => Promise<C>): Promise<{ connection: C; done: (() => void) | null }> {
    const { budget, writing, deadline } = store.getStore() ?? {};
    deadline?.check();
    if (writing) return { connection: await obtain(), done: null };
    if (budget?.refused && Date.now() < budget.refused.until) throw budget.refused.error;
    if (budget) await budget.slots.acquire();
    try {
      deadline?.check();
      await this.enter(deadline);
    } catch (error) {
      budget?.slots.release();
      // Only the pool's refusal is shared with the budget's other reads; a deadline is the request's own.
      if (budget && !isNotAnswering(error)) budget.refused = { error: error as WaymarkError, until: Date.now() + REFUSED_MS };
      throw error;
    }
    let open = true;
    const done = () => {
      if (!open) return;
      open = false;
      this.reads.release();
      budget?.slots.release();
    };
    try {
      return { connection: await obtain(), done };
    } catch (error) {
      done();
      throw error;
    }
  }

  /** Waits for a read's turn, at most READ_WAIT_MS and never past the request's deadline. */
  private enter(deadline: Deadline | undefined): Promise<void> {
    if (this.reads.waiting >= MAX_WAITING_READS) return this.refuse();
    // Whichever ends first: the read's longest wait (the pool is saturated), or its request's deadline.
    const left = deadline?.remaining() ?? Infinity;
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          if (!this.reads.cancel(grant)) return;
          if (left < this.waitMs) reject(deadline!.overdue());
          else this.refuse().catch(reject);
        },
        Math.min(this.waitMs, left),
      );
      this.reads.enqueue(grant);
    });
  }

  private refuse(): Promise<never> {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastLog >= REFUSAL_LOG_MS) {
      this.warn(this.refusedSinceLog);
      this.refusedSinceLog = 0;
      this.lastLog = now;
    }
    return Promise.reject(poolBusy());
  }
}

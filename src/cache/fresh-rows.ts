import type { Database } from "../db/database";
import { isNotAnswering } from "../db/deadline";
import { asOwnRequest, currentDeadline } from "../db/read-gate";

/** What the cache needs of a deployment row: whose it is, and its revision. */
export interface RevisionRow {
  workspaceId: number;
  revision: number;
}
type Row = RevisionRow;
interface Waiter {
  id: number;
  resolve: (row: Row | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads deployment revisions for callers that need them as fresh as the moment they asked: every
 * caller is answered by a statement that *started after* it called, so it sees every change
 * committed (and acknowledged to anyone) before then. Callers that arrive while a statement runs
 * wait for the next one, and all of them share it (one `IN (…)` statement): under load, many
 * reads cost one round trip instead of one each.
 *
 * The statement belongs to no caller: it has its own time limit, and each caller waits for it
 * only until its own request's deadline. When it fails because the database is not answering,
 * the callers that arrived meanwhile fail with it (a failure shows no stale row, and another
 * statement would cost them another timeout), and so do their requests' further statements.
 */
export class FreshRows {
  private waiting: Waiter[] = [];
  private running = false;

  constructor(private readonly db: Database) {}

  read(id: number): Promise<Row | null> {
    const deadline = currentDeadline();
    const waiter = { id } as Waiter;
    const answer = new Promise<Row | null>((resolve, reject) => {
      Object.assign(waiter, { resolve, reject });
      this.waiting.push(waiter);
      if (!this.running) {
        this.running = true;
        // Callers of this same tick join the statement; it still starts after each of them.
        queueMicrotask(() => this.start());
      }
    });
    if (!deadline) return answer;
    return deadline.bound(answer).catch((error: unknown) => {
      // Given up: it no longer needs a statement (if it had not joined one yet).
      this.waiting = this.waiting.filter((w) => w !== waiter);
      if (isNotAnswering(error)) deadline.fail();
      throw error;
    });
  }

  /** Each statement is a request of its own, with its own deadline. */
  private start(): void {
    void asOwnRequest(() => this.next());
  }

  private async next(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) {
      // Every caller gave up before its statement started.
      this.running = false;
      return;
    }
    try {
      const ids = [...new Set(batch.map((w) => w.id))];
      const rows = (await this.db.reader.query(
        `SELECT id, workspace_id, revision FROM deployment WHERE id IN (${ids.map(() => "?").join(", ")})`,
        ids,
      )) as Array<Record<string, unknown>>;
      const byId = new Map(rows.map((row) => [Number(row.id), { workspaceId: Number(row.workspace_id), revision: Number(row.revision) }]));
      for (const waiter of batch) waiter.resolve(byId.get(waiter.id) ?? null);
    } catch (error) {
      const failed = isNotAnswering(error) ? [...batch, ...this.waiting.splice(0)] : batch;
      for (const waiter of failed) waiter.reject(error);
    }
    if (this.waiting.length > 0) this.start();
    else this.running = false;
  }
}

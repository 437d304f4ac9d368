import type { Database } from "../db/database";

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
 * reads cost one round trip instead of one each. On a Galera node the statement first waits until
 * the node has applied every change committed before it started, through whichever node.
 */
export class FreshRows {
  private waiting: Waiter[] = [];
  private running = false;

  constructor(private readonly db: Database) {}

  read(id: number): Promise<Row | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Callers of this same tick join the statement; it still starts after each of them.
        queueMicrotask(() => void this.next());
      }
    });
  }

  private async next(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const ids = [...new Set(batch.map((w) => w.id))];
      const rows = (await this.db.reader.query(
        `${this.db.cluster.causal}SELECT id, workspace_id, revision FROM deployment WHERE id IN (${ids.map(() => "?").join(", ")})`,
        ids,
      )) as Array<Record<string, unknown>>;
      const byId = new Map(rows.map((row) => [Number(row.id), { workspaceId: Number(row.workspace_id), revision: Number(row.revision) }]));
      for (const waiter of batch) waiter.resolve(byId.get(waiter.id) ?? null);
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
    if (this.waiting.length > 0) void this.next();
    else this.running = false;
  }
}

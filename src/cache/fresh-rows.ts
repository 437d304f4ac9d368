import type { Database } from "../db/database";
import { isNotAnswering } from "../db/deadline";
import { asOwnRequest, currentDeadline } from "../db/read-gate";

/** What the cache needs of a deployment row: which it is, whose it is, and its revision. */
export interface RevisionRow {
  id: number;
  workspaceId: number;
  revision: number;
}
type Row = RevisionRow;
/** A deployment by id, or a workspace's deployment by flow and name (not deleted), as deploymentByName finds it. */
export type RowLookup = { id: number } | { workspaceId: number; flowName: string; name: string };
interface Waiter {
  lookup: RowLookup;
  resolve: (row: Row | null) => void;
  reject: (error: unknown) => void;
}
interface Found extends Row {
  flowName: string;
  name: string;
  present: boolean;
}

const matches = (lookup: RowLookup, row: Found) =>
  "id" in lookup ? row.id === lookup.id : row.present && row.workspaceId === lookup.workspaceId && row.flowName === lookup.flowName && row.name === lookup.name;

/** One statement for a batch of lookups: the ids in one IN list, each name as its own condition. */
function statementOf(lookups: RowLookup[]): [string, unknown[]] {
  const ids = [...new Set(lookups.flatMap((l) => ("id" in l ? [l.id] : [])))];
  const conditions: string[] = ids.length ? [`id IN (${ids.map(() => "?").join(", ")})`] : [];
  const params: unknown[] = [...ids];
  for (const l of lookups) {
    if ("id" in l) continue;
    conditions.push("(workspace_id = ? AND flow_name = ? AND name = ? AND deleted_at IS NULL)");
    params.push(l.workspaceId, l.flowName, l.name);
  }
  const sql = `SELECT id, workspace_id, flow_name, name, revision, deleted_at IS NULL AS present FROM deployment WHERE ${conditions.join(" OR ")}`;
  return [sql, params];
}

/**
 * Reads deployment revisions (by id, or by flow and name) for callers that need them as fresh as the moment they asked: every
 * caller is answered by a statement that *started after* it called, so it sees every change
 * committed (and acknowledged to anyone) before then. Callers that arrive while a statement runs
 * wait for the next one, and all of them share it (one `IN (…)` statement): under load, many
 * reads cost one round trip instead of one each. On a Galera node the statement first waits until
 * the node has applied every change committed before it started, through whichever node.
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

  read(lookup: RowLookup): Promise<Row | null> {
    const deadline = currentDeadline();
    const waiter = { lookup } as Waiter;
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
      const [sql, params] = statementOf(batch.map((w) => w.lookup));
      const rows = ((await this.db.reader.query(this.db.cluster.causal + sql, params)) as Array<Record<string, unknown>>).map((row): Found => ({
        id: Number(row.id),
        workspaceId: Number(row.workspace_id),
        revision: Number(row.revision),
        flowName: String(row.flow_name),
        name: String(row.name),
        present: Number(row.present) === 1,
      }));
      for (const waiter of batch) {
        const row = rows.find((r) => matches(waiter.lookup, r));
        waiter.resolve(row ? { id: row.id, workspaceId: row.workspaceId, revision: row.revision } : null);
      }
    } catch (error) {
      const failed = isNotAnswering(error) ? [...batch, ...this.waiting.splice(0)] : batch;
      for (const waiter of failed) waiter.reject(error);
    }
    if (this.waiting.length > 0) this.start();
    else this.running = false;
  }
}

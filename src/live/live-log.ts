import type { EntityManager } from "typeorm";
import { sqlOf, type Statement } from "../db/sql";
import { LiveChangeEntity, type LiveChangeKind } from "./live-change.entity";

export interface ChangeFields {
  workspaceId: number;
  deploymentId: number;
  kind: LiveChangeKind;
  previousVersionId: number | null;
  liveVersionId: number;
  actor: string;
  reason: string | null;
  at: Date;
}

/** A statement to send after the log insert, given the SQL that names the new change's id. */
export type AfterAppend = (changeId: { sql: string; params: unknown[] }) => Statement;

const insertChange = (sequence: string) =>
  "INSERT INTO live_version_change (workspace_id, sequence, kind, deployment_id, previous_version_id, live_version_id, actor, reason, at) " +
  `VALUES (?, ${sequence}, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Whether log entry `id` with `sequence` was committed, asked on another connection after a
 * COMMIT whose answer was lost. The share lock on the workspace row waits until the transaction
 * that holds its counter has ended, committed or rolled back, so the answer is final. Each
 * statement has the usual query timeout; if the database cannot answer, the COMMIT's own error
 * (UNAVAILABLE) stands.
 */
async function changeCommitted(tx: EntityManager, workspaceId: number, id: number | undefined, sequence: number | undefined): Promise<boolean> {
  if (id === undefined || sequence === undefined) return false;
  const dataSource = tx.connection;
  await dataSource.query("SELECT last_sequence FROM workspace WHERE id = ? LOCK IN SHARE MODE", [workspaceId]);
  const found = (await dataSource.query("SELECT id FROM live_version_change WHERE id = ? AND workspace_id = ? AND sequence = ?", [id, workspaceId, sequence])) as unknown[];
  return found.length > 0;
}

/**
 * Appends one entry to the live log and ends the transaction: nothing may run in it after
 * this. The sequence comes from the workspace row, incremented in this transaction: the
 * UPDATE holds that row's lock until commit, so sequences are gapless and in commit order
 * (docs/design.md, "Gapless live-change sequences"), and every writer of the workspace waits for it. `before` (statements that must
 * not wait for an answer, such as moving the pointer) and `after` (the idempotency record) go
 * in the same burst, `before` ahead of the counter so that it is locked for less time.
 */
export async function appendChangeAndCommit(tx: EntityManager, fields: ChangeFields, extra: { before?: Statement[]; after?: AfterAppend } = {}): Promise<LiveChangeEntity> {
  const sql = sqlOf(tx);
  const { before = [], after } = extra;
  const rest = [fields.kind, fields.deploymentId, fields.previousVersionId, fields.liveVersionId, fields.actor, fields.reason, fields.at.getTime()];
  if (tx.connection.driver.options.type === "better-sqlite3") {
    await sql.burst(before);
    const rows = await sql.rows<{ last_sequence: number }>("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE id = ? RETURNING last_sequence", [fields.workspaceId]);
    if (!rows[0]) throw new Error(`workspace ${fields.workspaceId} is missing`);
    const sequence = Number(rows[0].last_sequence);
    const { insertId: id } = await sql.run(insertChange("?"), [fields.workspaceId, sequence, ...rest]);
    if (after) await sql.run(...after({ sql: "?", params: [id] }));
    return Object.assign(new LiveChangeEntity(), { ...fields, id, sequence });
  }
  // MySQL: the counter UPDATE hands the new value back as its insert id (LAST_INSERT_ID(expr));
  // the log insert reads it from the row it locked and leaves its own id in LAST_INSERT_ID()
  // for `after`. So no statement needs an answer before it is sent, and the counter row stays
  // locked for the server's time on these statements and the COMMIT, not for ours.
  const results = await sql.burst(
    [
      ...before,
      ["UPDATE workspace SET last_sequence = LAST_INSERT_ID(last_sequence + 1) WHERE id = ?", [fields.workspaceId]],
      // The sequence is read back from the row, not from LAST_INSERT_ID(): had the UPDATE
      // matched no row, LAST_INSERT_ID() would still hold the version's id, while this reads
      // NULL, which the NOT NULL column refuses, and the burst stops before COMMIT.
      [insertChange("(SELECT last_sequence FROM workspace WHERE id = ?)"), [fields.workspaceId, fields.workspaceId, ...rest]],
      ...(after ? [after({ sql: "LAST_INSERT_ID()", params: [] })] : []),
    ],
    {
      commit: true,
      confirm: (answered) => {
        const [counter, change] = answered.slice(before.length);
        return changeCommitted(tx, fields.workspaceId, change?.insertId, counter?.insertId);
      },
    },
  );
  const [counter, change] = results.slice(before.length);
  return Object.assign(new LiveChangeEntity(), { ...fields, id: change!.insertId, sequence: counter!.insertId });
}

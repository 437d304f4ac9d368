import type { EntityManager } from "typeorm";
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

/**
 * Appends one entry to the live log. The sequence comes from the workspace row, incremented
 * in this transaction: the UPDATE holds that row's lock until commit, so sequences are gapless
 * and in commit order (SPEC §1). Call it last in a transaction, to hold that lock briefly.
 */
export async function appendChange(tx: EntityManager, fields: ChangeFields): Promise<LiveChangeEntity> {
  const change = tx.getRepository(LiveChangeEntity).create({ ...fields, sequence: await nextSequence(tx, fields.workspaceId) });
  await tx.getRepository(LiveChangeEntity).insert(change);
  return change;
}

/**
 * Increments the workspace counter and returns the new value in one round trip, since the row
 * stays locked until commit: MySQL hands the value back as the statement's insert id
 * (LAST_INSERT_ID(expr)), SQLite through RETURNING.
 */
async function nextSequence(tx: EntityManager, workspaceId: number): Promise<number> {
  if (tx.connection.driver.options.type === "better-sqlite3") {
    const rows = (await tx.query("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE id = ? RETURNING last_sequence", [workspaceId])) as Array<{ last_sequence: number }>;
    return Number(rows[0]!.last_sequence);
  }
  const result = (await tx.query("UPDATE workspace SET last_sequence = LAST_INSERT_ID(last_sequence + 1) WHERE id = ?", [workspaceId])) as { insertId: number };
  return Number(result.insertId);
}

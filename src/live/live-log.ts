import type { EntityManager } from "typeorm";
import { WorkspaceEntity } from "../workspace/workspace.entity";
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
  await tx
    .createQueryBuilder()
    .update(WorkspaceEntity)
    .set({ lastSequence: () => "last_sequence + 1" })
    .where("id = :id", { id: fields.workspaceId })
    .execute();
  const workspace = await tx.getRepository(WorkspaceEntity).findOneOrFail({ where: { id: fields.workspaceId }, select: { id: true, lastSequence: true } });
  const change = tx.getRepository(LiveChangeEntity).create({ ...fields, sequence: workspace.lastSequence });
  await tx.getRepository(LiveChangeEntity).insert(change);
  return change;
}

import type { WriteTx } from "../db/write-store";
import { ErrorCode, WaymarkError } from "../errors";
import { decodeId, encodeId } from "../ids";
import type { DeploymentEntity } from "./deployment.entity";

/**
 * Reads a deployment of the workspace and locks its row for the rest of the transaction. Every
 * version creation and pointer move takes this lock first, so they run one at a time per
 * deployment; the workspace counter (the write store's tail) is always taken after it, never before.
 */
export function lockDeployment(tx: WriteTx, workspaceId: number, where: DeploymentWhere): Promise<DeploymentEntity | null> {
  return findDeployment(tx, workspaceId, where, tx.forUpdate);
}

export type DeploymentWhere = { id: number } | { flowName: string; name: string };

/** A deployment of the workspace; `suffix` locks it (`WriteTx.forUpdate`). */
export async function findDeployment(
  source: Pick<WriteTx, "rows" | "tables">,
  workspaceId: number,
  where: DeploymentWhere,
  suffix = "",
): Promise<DeploymentEntity | null> {
  const [row] = await deploymentRows(source, workspaceId, where, suffix);
  return row ? source.tables.deployment.fromRow(row) : null;
}

/**
 * Reads and locks a deployment as `lockDeployment` does, and in the same statement whether any of
 * its versions was ever flagged BAD (version_flag, which only writers holding this lock append to):
 * createVersion looks for BAD twins of its content only then, so a deployment never flagged costs
 * no statement for it.
 */
export async function lockDeploymentWithFlags(
  tx: WriteTx,
  workspaceId: number,
  where: DeploymentWhere,
): Promise<{ deployment: DeploymentEntity; everFlaggedBad: boolean } | null> {
  const table = tx.tables.deployment;
  const flagged = `EXISTS (SELECT 1 FROM version_flag f WHERE f.deployment_id = ${table.name}.id AND f.status = 'BAD') AS ever_flagged_bad`;
  const [row] = await deploymentRows(tx, workspaceId, where, tx.forUpdate, flagged);
  return row ? { deployment: table.fromRow(row), everFlaggedBad: Number(row.ever_flagged_bad) > 0 } : null;
}

function deploymentRows(source: Pick<WriteTx, "rows" | "tables">, workspaceId: number, where: DeploymentWhere, suffix: string, extra?: string) {
  const table = source.tables.deployment;
  const [condition, params] = "id" in where ? ["id = ?", [where.id]] : ["flow_name = ? AND name = ?", [where.flowName, where.name]];
  const columns = extra ? `${table.columns}, ${extra}` : table.columns;
  return source.rows(`SELECT ${columns} FROM ${table.name} WHERE workspace_id = ? AND ${condition} AND deleted_key = 0${suffix}`, [workspaceId, ...params]);
}

export function deploymentNotFound(id: string): WaymarkError {
  return new WaymarkError(ErrorCode.DEPLOYMENT_NOT_FOUND, `No deployment with id "${id.slice(0, 100)}"`);
}

/** expectedLiveVersionId is a compare-and-set: any other live version means nothing changes. */
export function checkExpectedLive(deployment: DeploymentEntity, expected: string | null | undefined): void {
  if (expected == null) return;
  const expectedKey = decodeId("version", expected);
  if (expectedKey !== null && expectedKey === deployment.liveVersionId) return;
  const current = deployment.liveVersionId == null ? null : encodeId("version", deployment.liveVersionId);
  throw new WaymarkError(ErrorCode.LIVE_VERSION_CONFLICT, `The live version is ${current ?? "none"}, not ${expected.slice(0, 100)}; reload and decide again`, {
    currentLiveVersionId: current,
  });
}

/** Refuses new versions and moves of an archived deployment. */
export function checkNotArchived(deployment: DeploymentEntity): void {
  if (deployment.archivedAt == null) return;
  throw new WaymarkError(
    ErrorCode.DEPLOYMENT_ARCHIVED,
    `${deployment.flowName}/${deployment.name} is archived; restore it (restoreDeployment) before creating versions or moving its live version`,
    { deploymentId: encodeId("deployment", deployment.id) },
  );
}

import type { EntityManager } from "typeorm";
import type { Database } from "../db/database";
import { sqlOf } from "../db/sql";
import { ErrorCode, WaymarkError } from "../errors";
import { decodeId, encodeId } from "../ids";
import type { DeploymentEntity } from "./deployment.entity";
import { DEPLOYMENT_COLUMNS, deploymentOf, type DeploymentRow } from "./deployment.rows";

/**
 * Reads a deployment of the workspace and locks its row for the rest of the transaction. Every
 * version creation and pointer move takes this lock first, so they run one at a time per
 * deployment; the workspace counter (live-log.ts) is always taken after it, never before.
 */
export async function lockDeployment(
  db: Database,
  tx: EntityManager,
  workspaceId: number,
  where: { id: number } | { flowName: string; name: string },
): Promise<DeploymentEntity | null> {
  // SQLite's single writer needs no row lock (and has no FOR UPDATE).
  const lock = db.dialect === "mysql" ? " FOR UPDATE" : "";
  const [condition, params] = "id" in where ? ["id = ?", [where.id]] : ["flow_name = ? AND name = ?", [where.flowName, where.name]];
  const rows = await sqlOf(tx).rows<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployment WHERE workspace_id = ? AND ${condition}${lock}`,
    [workspaceId, ...params],
  );
  return rows[0] ? deploymentOf(rows[0]) : null;
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
  throw new WaymarkError(
    ErrorCode.LIVE_VERSION_CONFLICT,
    `The live version is ${current ?? "none"}, not ${expected.slice(0, 100)}; reload and decide again`,
    { currentLiveVersionId: current },
  );
}

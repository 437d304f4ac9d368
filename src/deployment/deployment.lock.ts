import type { EntityManager } from "typeorm";
import type { Database } from "../db/database";
import { ErrorCode, WaymarkError } from "../errors";
import { decodeId, encodeId } from "../ids";
import { DeploymentEntity } from "./deployment.entity";

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
  const qb = tx.getRepository(DeploymentEntity).createQueryBuilder("d").where("d.workspaceId = :workspaceId", { workspaceId });
  if ("id" in where) qb.andWhere("d.id = :id", { id: where.id });
  else qb.andWhere("d.flowName = :flowName AND d.name = :name", where);
  return db.forUpdate(qb).getOne();
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

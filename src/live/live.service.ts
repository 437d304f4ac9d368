import type { EntityManager } from "typeorm";
import type { Scope } from "../context";
import type { Database } from "../db/database";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import { checkExpectedLive, deploymentNotFound, lockDeployment } from "../deployment/deployment.lock";
import { ErrorCode, WaymarkError, badInput } from "../errors";
import { decodeId } from "../ids";
import { sqlOf } from "../db/sql";
import type { LiveChangeEntity } from "./live-change.entity";
import type { LiveEvents } from "./live-events";
import { liveEventOf } from "./live-event";
import { appendChangeAndCommit } from "./live-log";
import type { PromoteInput, RollbackInput } from "./live.input";

type Direction = "ROLLBACK" | "PROMOTE";

export class LiveService {
  constructor(
    private readonly db: Database,
    private readonly events: LiveEvents,
    private readonly now: () => Date,
  ) {}

  /** Makes an older version live (SPEC §1 rules 2–4). */
  rollback(scope: Scope, input: RollbackInput): Promise<LiveChangeEntity> {
    return this.move(scope, "ROLLBACK", input);
  }

  /** Makes a newer version live (SPEC §1 rules 2–4). */
  promote(scope: Scope, input: PromoteInput): Promise<LiveChangeEntity> {
    return this.move(scope, "PROMOTE", input);
  }

  private async move(scope: Scope, direction: Direction, input: RollbackInput | PromoteInput): Promise<LiveChangeEntity> {
    if (input.versionId != null && input.number != null) throw badInput("Name the target by versionId or by number, not both");
    const deploymentKey = decodeId("deployment", input.deploymentId);
    if (deploymentKey === null) throw deploymentNotFound(input.deploymentId);
    const { change, flowName } = await this.db.write(async (tx) => {
      const deployment = await lockDeployment(this.db, tx, scope.workspaceId, { id: deploymentKey });
      if (!deployment || deployment.liveVersionId == null) throw deploymentNotFound(input.deploymentId);
      checkExpectedLive(deployment, input.expectedLiveVersionId);
      const sql = sqlOf(tx);
      // Both reads at once: the default rollback target is found from the live version's
      // number in SQL, so neither waits for the other's answer.
      const [[live], [target]] = await Promise.all([
        sql.rows<VersionRef>(`SELECT ${REF} FROM deployment_version WHERE id = ?`, [deployment.liveVersionId]),
        this.targetOf(tx, deployment, direction, input),
      ]);
      if (!live) throw new Error(`live version ${deployment.liveVersionId} is missing`);
      if (!target) throw versionNotFound(this.notFoundMessage(direction, input, live));
      checkDirection(direction, target, live);
      const at = this.now();
      const appended = await appendChangeAndCommit(
        tx,
        {
          workspaceId: scope.workspaceId, deploymentId: deployment.id, kind: direction,
          previousVersionId: live.id, liveVersionId: target.id, actor: scope.actor, reason: input.reason ?? null, at,
        },
        { before: [["UPDATE deployment SET live_version_id = ?, updated_at = ? WHERE id = ?", [target.id, at.getTime(), deployment.id]]] },
      );
      return { change: appended, flowName: deployment.flowName };
    });
    this.events.publish(liveEventOf(change, flowName));
    return change;
  }

  /** The named target, or the default one: the newest older version (rollback) or the newest of all (promote). */
  private targetOf(tx: EntityManager, deployment: DeploymentEntity, direction: Direction, input: RollbackInput): Promise<VersionRef[]> {
    const sql = sqlOf(tx);
    const from = `SELECT ${REF} FROM deployment_version WHERE deployment_id = ?`;
    if (input.versionId != null) {
      const key = decodeId("version", input.versionId);
      return key === null ? Promise.resolve([]) : sql.rows(`${from} AND id = ?`, [deployment.id, key]);
    }
    if (input.number != null) return sql.rows(`${from} AND number = ?`, [deployment.id, input.number]);
    if (direction === "ROLLBACK") {
      return sql.rows(`${from} AND number < (SELECT number FROM deployment_version WHERE id = ?) ORDER BY number DESC LIMIT 1`, [deployment.id, deployment.liveVersionId]);
    }
    return sql.rows(`${from} AND number = ?`, [deployment.id, deployment.lastNumber]);
  }

  private notFoundMessage(direction: Direction, input: RollbackInput, live: VersionRef): string {
    if (input.versionId != null) return `No version "${input.versionId.slice(0, 100)}" in this deployment`;
    if (input.number != null) return `This deployment has no version number ${input.number}`;
    if (direction === "ROLLBACK") return `Nothing to roll back to: version ${live.number} is the oldest`;
    return `Version ${live.number} is the newest`;
  }
}

/** The columns a pointer move needs of a version. */
interface VersionRef {
  id: number;
  number: number;
  version: string;
}
const REF = "id, number, version";

function versionNotFound(message: string) {
  return new WaymarkError(ErrorCode.VERSION_NOT_FOUND, message);
}

function checkDirection(direction: Direction, target: VersionRef, live: VersionRef): void {
  if (target.id === live.id) {
    throw new WaymarkError(ErrorCode.ALREADY_LIVE, `Version ${target.number} (${target.version}) is already live`);
  }
  if (direction === "ROLLBACK" && target.number > live.number) {
    throw new WaymarkError(ErrorCode.NOT_OLDER_THAN_LIVE, `Version ${target.number} is newer than the live version ${live.number}; use promote`);
  }
  if (direction === "PROMOTE" && target.number < live.number) {
    throw new WaymarkError(ErrorCode.NOT_NEWER_THAN_LIVE, `Version ${target.number} is older than the live version ${live.number}; use rollback`);
  }
}

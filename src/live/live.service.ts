import type { EntityManager } from "typeorm";
import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import { checkExpectedLive, deploymentNotFound, lockDeployment } from "../deployment/deployment.lock";
import { updateDeploymentSql } from "../deployment/deployment.rows";
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

  /** Makes an older version live (docs/design.md, "Rollback and promote", "Compare-and-set"). */
  rollback(caller: Caller, input: RollbackInput): Promise<LiveChangeEntity> {
    return this.move(caller, "ROLLBACK", input);
  }

  /** Makes a newer version live (docs/design.md, "Rollback and promote", "Compare-and-set"). */
  promote(caller: Caller, input: PromoteInput): Promise<LiveChangeEntity> {
    return this.move(caller, "PROMOTE", input);
  }

  private async move(caller: Caller, direction: Direction, input: RollbackInput | PromoteInput): Promise<LiveChangeEntity> {
    if (input.versionId != null && input.number != null) throw badInput("Name the target by versionId or by number, not both");
    const deploymentKey = decodeId("deployment", input.deploymentId);
    if (deploymentKey === null) throw deploymentNotFound(input.deploymentId);
    const { change, flowName } = await this.db.write(async (tx) => {
      const deployment = await lockDeployment(this.db, tx, caller.workspaceId, { id: deploymentKey });
      if (!deployment || deployment.liveVersionId == null) throw deploymentNotFound(input.deploymentId);
      checkExpectedLive(deployment, input.expectedLiveVersionId);
      const { live, target } = await this.liveAndTarget(tx, deployment, direction, input);
      if (!live) throw new Error(`live version ${deployment.liveVersionId} is missing`);
      if (!target) throw versionNotFound(this.notFoundMessage(direction, input, live));
      checkDirection(direction, target, live);
      const at = this.now();
      const appended = await appendChangeAndCommit(
        tx,
        {
          workspaceId: caller.workspaceId, deploymentId: deployment.id, kind: direction,
          previousVersionId: live.id, liveVersionId: target.id, actor: caller.actor, reason: input.reason ?? null, at,
        },
        { before: [updateDeploymentSql(deployment.id, {}, [["live_version_id", target.id], ["updated_at", at.getTime()]])] },
      );
      return { change: appended, flowName: deployment.flowName };
    });
    this.events.publish(liveEventOf(change, flowName));
    return change;
  }

  /**
   * The live version and the target in one statement: the named target, or the default one,
   * the newest older version (rollback) or the newest of all (promote). No target row means
   * there is none; a target that is the live version comes back twice, once per role.
   */
  private async liveAndTarget(tx: EntityManager, deployment: DeploymentEntity, direction: Direction, input: RollbackInput): Promise<{ live?: VersionRef; target?: VersionRef }> {
    let target: [string, unknown[]];
    if (input.versionId != null) target = ["id = ?", [decodeId("version", input.versionId) ?? -1]];
    else if (input.number != null) target = ["number = ?", [input.number]];
    else if (direction === "ROLLBACK") target = ["number < (SELECT number FROM deployment_version WHERE id = ?) ORDER BY number DESC", [deployment.liveVersionId]];
    else target = ["number = ?", [deployment.lastNumber]];
    const rows = await sqlOf(tx).rows<VersionRef & { role: "live" | "target" }>(
      `SELECT 'live' AS role, ${REF} FROM deployment_version WHERE id = ? UNION ALL ` +
        `SELECT 'target' AS role, ${REF} FROM deployment_version WHERE id = (SELECT id FROM deployment_version WHERE deployment_id = ? AND ${target[0]} LIMIT 1)`,
      [deployment.liveVersionId, deployment.id, ...target[1]],
    );
    const of = (role: string) => {
      const row = rows.find((r) => r.role === role);
      return row && { id: Number(row.id), number: Number(row.number), version: row.version };
    };
    return { live: of("live"), target: of("target") };
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

import type { EntityManager } from "typeorm";
import type { Scope } from "../context";
import type { Database } from "../db/database";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { checkExpectedLive, deploymentNotFound, lockDeployment } from "../deployment/deployment.lock";
import { ErrorCode, WaymarkError, badInput } from "../errors";
import { decodeId } from "../ids";
import { VersionEntity } from "../version/version.entity";
import type { LiveChangeEntity } from "./live-change.entity";
import type { LiveEvents } from "./live-events";
import { liveEventOf } from "./live-event";
import { appendChange } from "./live-log";
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
      const versions = tx.getRepository(VersionEntity);
      const live = await versions.findOneByOrFail({ id: deployment.liveVersionId });
      const target = await this.targetOf(tx, deployment, live, direction, input);
      checkDirection(direction, target, live);
      const at = this.now();
      await tx.getRepository(DeploymentEntity).update({ id: deployment.id }, { liveVersionId: target.id, updatedAt: at });
      // Last: from here until commit the workspace counter is locked for every other writer.
      const appended = await appendChange(tx, {
        workspaceId: scope.workspaceId, deploymentId: deployment.id, kind: direction,
        previousVersionId: live.id, liveVersionId: target.id, actor: scope.actor, reason: input.reason ?? null, at,
      });
      return { change: appended, flowName: deployment.flowName };
    });
    this.events.publish(liveEventOf(change, flowName));
    return change;
  }

  /** The named target, or the default one: the newest older version (rollback) or the newest of all (promote). */
  private async targetOf(tx: EntityManager, deployment: DeploymentEntity, live: VersionEntity, direction: Direction, input: RollbackInput): Promise<VersionEntity> {
    const versions = tx.getRepository(VersionEntity);
    let target: VersionEntity | null;
    if (input.versionId != null) {
      const key = decodeId("version", input.versionId);
      target = key === null ? null : await versions.findOneBy({ id: key, deploymentId: deployment.id });
      if (!target) throw versionNotFound(`No version "${input.versionId.slice(0, 100)}" in this deployment`);
    } else if (input.number != null) {
      target = await versions.findOneBy({ deploymentId: deployment.id, number: input.number });
      if (!target) throw versionNotFound(`This deployment has no version number ${input.number}`);
    } else if (direction === "ROLLBACK") {
      target = await versions.createQueryBuilder("v")
        .where("v.deploymentId = :id AND v.number < :number", { id: deployment.id, number: live.number })
        .orderBy("v.number", "DESC").limit(1).getOne();
      if (!target) throw versionNotFound(`Nothing to roll back to: version ${live.number} is the oldest`);
    } else {
      target = await versions.findOneByOrFail({ deploymentId: deployment.id, number: deployment.lastNumber });
    }
    return target;
  }
}

function versionNotFound(message: string) {
  return new WaymarkError(ErrorCode.VERSION_NOT_FOUND, message);
}

function checkDirection(direction: Direction, target: VersionEntity, live: VersionEntity): void {
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

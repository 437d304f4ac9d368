import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import type { ChangeFields, Work } from "../db/write-store";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import { checkExpectedLive, checkNotArchived, deploymentNotFound, findDeployment, lockDeployment } from "../deployment/deployment.lock";
import { ErrorCode, WaymarkError, badInput } from "../errors";
import { decodeId } from "../ids";
import { changeById, earlierOutcome, moveHashOf, type RowSource } from "../version/idempotency";
import { DRY_RUN_KEY } from "../version/version.service";
import { deploymentPinned, pinnedBy, UNPINNED } from "../release/pin.service";
import { addressedKey, checkAddress } from "../release/target-address";
import { BAD_VERSION_IDS } from "../release/version-flag.entity";
import { LiveChangeEntity, type LiveChangeKind } from "./live-change.entity";
import type { LiveEvents } from "./live-events";
import { liveEventOf } from "./live-event";
import { auditEntry } from "../audit/audit";
import { AuditKind } from "../audit/audit-kinds";
import type { PromoteInput, RollbackInput } from "./live.input";

type Direction = "ROLLBACK" | "PROMOTE";

/** What a move appended, and the deployment as it left it (null for a replay or a dry run, which read it afresh). */
export interface Moved {
  change: LiveChangeEntity;
  deployment: DeploymentEntity | null;
}

export class LiveService {
  constructor(
    private readonly db: Database,
    private readonly events: LiveEvents,
    private readonly now: () => Date,
  ) {}

  /** Makes an older version live (docs/design.md, "Rollback and promote", "Compare-and-set"). */
  rollback(caller: Caller, input: RollbackInput): Promise<Moved> {
    return this.move(caller, "ROLLBACK", input);
  }

  /** Makes a newer version live (docs/design.md, "Rollback and promote", "Compare-and-set"). */
  promote(caller: Caller, input: PromoteInput): Promise<Moved> {
    return this.move(caller, "PROMOTE", input);
  }

  private async move(caller: Caller, direction: Direction, input: RollbackInput | PromoteInput): Promise<Moved> {
    const key = input.idempotencyKey ?? null;
    const hash = key ? moveHashOf(direction, input) : null;
    // As for createVersion, the key is checked first: a retried move answers with the first
    // move's change even if the pointer has moved since, and never moves it twice (a dry run
    // answers what that retry would).
    if (key && hash) {
      const earlier = await earlierOutcome(this.db.reads, caller.workspaceId, key, hash);
      if (earlier) return { change: await changeById(this.db.reads, earlier.changeId), deployment: null };
    }
    checkAddress(input);
    if (input.pin === true && input.unpin === true) throw badInput("Give pin or unpin, not both");
    const deploymentKey = decodeId("deployment", input.deploymentId);
    if (deploymentKey === null) throw deploymentNotFound(input.deploymentId);
    if (input.dryRun === true) return { change: await this.dryRun(caller, direction, input, deploymentKey), deployment: null };
    const { result, change } = await this.db.store.write(async (tx): Promise<Work<{ row: DeploymentEntity; replayed: LiveChangeEntity | null }>> => {
      const deployment = await lockDeployment(tx, caller.workspaceId, { id: deploymentKey });
      if (!deployment || deployment.liveVersionId == null) throw deploymentNotFound(input.deploymentId);
      // Again under the lock: a twin that committed while this one waited has already moved it.
      const earlier = key && hash ? await earlierOutcome(tx, caller.workspaceId, key, hash) : null;
      if (earlier) return { result: { row: deployment, replayed: await changeById(tx, earlier.changeId) } };
      checkNotArchived(deployment);
      const { live, target } = await this.decide(tx, deployment, direction, input);
      const at = this.now();
      return {
        result: { row: deployment, replayed: null },
        append: {
          deployment: { row: deployment, set: { liveVersionId: target.id, updatedAt: at, ...pinChange(caller, input, at) } },
          change: this.changeOf(caller, deployment, direction, input, live, target, at),
          idempotency: key && hash ? { key, requestHash: hash, versionId: target.id } : undefined,
          audit: [
            auditEntry(
              caller,
              AuditKind.LIVE_MOVED,
              deployment,
              at,
              {
                direction,
                fromNumber: live.number,
                toNumber: target.number,
                reason: input.reason ?? null,
              },
              target.id,
            ),
          ],
        },
      };
    });
    if (!change) return { change: result.replayed!, deployment: null };
    this.events.publish(liveEventOf(change, result.row.flowName));
    // The store applied the committed changes to the locked row: the answer needs no read of it.
    return { change, deployment: result.row };
  }

  /**
   * What a move would append, from the committed store and without a lock: every check of a real
   * move (compare-and-set included) but the race a concurrent writer might still win. The change
   * has the placeholder key DRY_RUN_KEY and sequence 0; nothing is written or published.
   */
  private async dryRun(scope: Caller, direction: Direction, input: RollbackInput, deploymentKey: number): Promise<LiveChangeEntity> {
    const deployment = await findDeployment(this.db.reads, scope.workspaceId, { id: deploymentKey });
    if (!deployment || deployment.liveVersionId == null) throw deploymentNotFound(input.deploymentId);
    const { live, target } = await this.decide(this.db.reads, deployment, direction, input);
    const fields = this.changeOf(scope, deployment, direction, input, live, target, this.now());
    return Object.assign(new LiveChangeEntity(), fields, { id: DRY_RUN_KEY, sequence: 0 });
  }

  /** The checks every move makes, in order, and the two versions it moves between. */
  private async decide(
    source: RowSource,
    deployment: DeploymentEntity,
    direction: Direction,
    input: RollbackInput,
  ): Promise<{ live: VersionRef; target: VersionRef }> {
    checkExpectedLive(deployment, input.expectedLiveVersionId);
    if (deployment.pinnedAt != null && input.unpin !== true && input.pin !== true) throw deploymentPinned(deployment);
    const { live, target } = await this.liveAndTarget(source, deployment, direction, input);
    if (!live) throw new Error(`live version ${deployment.liveVersionId} is missing`);
    if (!target) throw versionNotFound(this.notFoundMessage(direction, input, live));
    checkDirection(direction, target, live);
    if (input.force !== true && target.bad) {
      throw new WaymarkError(
        ErrorCode.VERSION_FLAGGED_BAD,
        `Version ${target.number} (${target.version}) is flagged BAD; pass force: true to make it live anyway`,
      );
    }
    return { live, target };
  }

  private changeOf(
    scope: Caller,
    deployment: DeploymentEntity,
    kind: LiveChangeKind,
    input: RollbackInput,
    live: VersionRef,
    target: VersionRef,
    at: Date,
  ): ChangeFields {
    return {
      workspaceId: scope.workspaceId,
      deploymentId: deployment.id,
      kind,
      previousVersionId: live.id,
      liveVersionId: target.id,
      actor: scope.actor,
      reason: input.reason ?? null,
      at,
    };
  }

  /**
   * The live version and the target in one statement: the named target, or the default one,
   * the newest older version (rollback) or the newest of all (promote). No target row means
   * there is none; a target that is the live version comes back twice, once per role.
   */
  private async liveAndTarget(
    tx: RowSource,
    deployment: DeploymentEntity,
    direction: Direction,
    input: RollbackInput,
  ): Promise<{ live?: VersionRef; target?: VersionRef & { bad: boolean } }> {
    let target: [string, unknown[]];
    const addressed = await addressedKey(tx, deployment.id, input);
    if (addressed !== null) target = ["id = ?", [addressed]];
    else if (input.previous != null) {
      const older = "SELECT number FROM deployment_version WHERE deployment_id = ? AND number < (SELECT number FROM deployment_version WHERE id = ?)";
      target = [`number = (${older} ORDER BY number DESC LIMIT 1 OFFSET ${Math.trunc(input.previous) - 1})`, [deployment.id, deployment.liveVersionId]];
    } else if (input.versionId != null) target = ["id = ?", [decodeId("version", input.versionId) ?? -1]];
    else if (input.number != null) target = ["number = ?", [input.number]];
    // The default rollback target skips versions flagged BAD.
    else if (direction === "ROLLBACK")
      target = [
        `number < (SELECT number FROM deployment_version WHERE id = ?) AND id NOT IN (${BAD_VERSION_IDS}) ORDER BY number DESC`,
        [deployment.liveVersionId, deployment.id],
      ];
    else target = ["number = ?", [deployment.lastNumber]];
    // The target's row also says whether its newest flag is BAD, so the move needs no statement for it.
    const rows = await tx.rows<VersionRef & { role: "live" | "target"; bad: number | string }>(
      `SELECT 'live' AS role, ${REF}, 0 AS bad FROM deployment_version WHERE id = ? UNION ALL ` +
        `SELECT 'target' AS role, ${REF}, id IN (${BAD_VERSION_IDS}) AS bad FROM deployment_version ` +
        `WHERE id = (SELECT id FROM deployment_version WHERE deployment_id = ? AND ${target[0]} LIMIT 1)`,
      [deployment.liveVersionId, deployment.id, deployment.id, ...target[1]],
    );
    const of = (role: string) => {
      const row = rows.find((r) => r.role === role);
      return row && { id: Number(row.id), number: Number(row.number), version: row.version, bad: Number(row.bad) > 0 };
    };
    return { live: of("live"), target: of("target") };
  }

  private notFoundMessage(direction: Direction, input: RollbackInput, live: VersionRef): string {
    if (input.versionId != null) return `No version "${input.versionId.slice(0, 100)}" in this deployment`;
    if (input.number != null) return `This deployment has no version number ${input.number}`;
    if (input.previous != null) return `There are fewer than ${input.previous} versions older than the live version ${live.number}`;
    if (direction === "ROLLBACK") return `Nothing to roll back to: no version older than ${live.number} that is not flagged BAD`;
    return `Version ${live.number} is the newest`;
  }
}

/** What a move does to the pin: `pin` (re)pins to the new version, `unpin` lifts it, else nothing. */
function pinChange(scope: Caller, input: RollbackInput, at: Date) {
  if (input.pin === true) return pinnedBy(scope.actor, at, input.reason ?? null);
  return input.unpin === true ? UNPINNED : {};
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

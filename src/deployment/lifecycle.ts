import { auditEntry } from "../audit/audit";
import { AuditKind } from "../audit/audit-kinds";
import type { Caller } from "../auth/caller";
import { appendedOf, type Work, type WriteTx } from "../db/write-store";
import type { Database } from "../db/database";
import { badInput } from "../errors";
import { decodeId } from "../ids";
import { deploymentChange, publishAll } from "../live/deployment-change";
import type { LiveEvents } from "../live/live-events";
import type { DeploymentEntity } from "./deployment.entity";
import { deploymentNotFound, lockDeployment } from "./deployment.lock";
import { EMPTY_BODY } from "../retention/pruner";

type Step = "archive" | "restore" | "delete";
const KINDS = {
  archive: { audit: AuditKind.DEPLOYMENT_ARCHIVED, live: "ARCHIVED" },
  restore: { audit: AuditKind.DEPLOYMENT_RESTORED, live: "RESTORED" },
  delete: { audit: AuditKind.DEPLOYMENT_DELETED, live: "DELETED" },
} as const;

/** Archive, restore and delete (docs/design.md, "Archive and delete"): each with its audit entry and live change, in one transaction. */
export class DeploymentLifecycle {
  constructor(
    private readonly db: Database,
    private readonly events: LiveEvents,
    private readonly now: () => Date,
    /** Told which versions' bodies a delete erased: instances keep version rows in memory for good. */
    private readonly bodiesErased: (versionIds: number[]) => void = () => undefined,
  ) {}

  /** Hides and freezes it; archiving an archived deployment changes nothing. */
  archive(caller: Caller, deploymentId: string, reason: string | null): Promise<DeploymentEntity> {
    return this.step(caller, "archive", deploymentId, reason, (d, at) => (d.archivedAt ? null : { archivedAt: at }));
  }

  /** Undoes archive; restoring a deployment that is not archived changes nothing. */
  restore(caller: Caller, deploymentId: string, reason: string | null): Promise<DeploymentEntity> {
    return this.step(caller, "restore", deploymentId, reason, (d) => (d.archivedAt ? { archivedAt: null } : null));
  }

  /** Removes it for good once `confirmName` is its flow/name; its name can be used again. */
  async delete(caller: Caller, deploymentId: string, confirmName: string, reason: string | null): Promise<DeploymentEntity> {
    let erased: number[] = [];
    const deleted = await this.step(
      caller,
      "delete",
      deploymentId,
      reason,
      (d, at) => {
        const name = `${d.flowName}/${d.name}`;
        if (confirmName !== name) throw badInput(`confirmName must be the deployment's flow/name, "${name}"`, { expected: name });
        return { deletedAt: at, deletedKey: d.id };
      },
      async (tx, d, at) => {
        erased = (await tx.rows<{ id: number }>("SELECT id FROM deployment_version WHERE deployment_id = ?", [d.id])).map((row) => Number(row.id));
        return this.forget(d, at);
      },
    );
    this.bodiesErased(erased);
    return deleted;
  }

  /**
   * Idempotency records would replay versions that no longer exist: they go with the deployment.
   * Its versions' bodies go too; the rows stay as tombstones because the live log points at them.
   */
  private forget(deployment: DeploymentEntity, at: Date): Array<[string, unknown[]]> {
    return [
      ["DELETE FROM idempotency_key WHERE version_id IN (SELECT id FROM deployment_version WHERE deployment_id = ?)", [deployment.id]],
      [`UPDATE deployment_version SET ${EMPTY_BODY}, pruned_at = ? WHERE deployment_id = ? AND pruned_at IS NULL`, [at.getTime(), deployment.id]],
    ];
  }

  private async step(
    caller: Caller,
    step: Step,
    deploymentId: string,
    reason: string | null,
    change: (deployment: DeploymentEntity, at: Date) => Partial<DeploymentEntity> | null,
    statements?: (tx: WriteTx, deployment: DeploymentEntity, at: Date) => Promise<Array<[string, unknown[]]>>,
  ): Promise<DeploymentEntity> {
    const key = decodeId("deployment", deploymentId);
    if (key === null) throw deploymentNotFound(deploymentId);
    const written = await this.db.store.write(async (tx): Promise<Work<DeploymentEntity>> => {
      const deployment = await lockDeployment(tx, caller.workspaceId, { id: key });
      if (!deployment) throw deploymentNotFound(deploymentId);
      const at = this.now();
      const set = change(deployment, at);
      if (!set) return { result: deployment };
      const details = { reason, flowName: deployment.flowName, name: deployment.name };
      return {
        result: deployment,
        append: {
          statements: await statements?.(tx, deployment, at),
          deployment: { row: deployment, set: { ...set, updatedAt: at } },
          change: deploymentChange(caller, deployment, KINDS[step].live, at),
          audit: [auditEntry(caller, KINDS[step].audit, deployment, at, details)],
        },
      };
    });
    publishAll(this.events, appendedOf(written), written.result.flowName);
    return written.result;
  }
}

import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import type { Work } from "../db/write-store";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import { deploymentNotFound, lockDeployment } from "../deployment/deployment.lock";
import { ErrorCode, WaymarkError } from "../errors";
import { decodeId } from "../ids";
import type { LiveChangeEntity } from "../live/live-change.entity";
import { liveEventOf } from "../live/live-event";
import type { LiveEvents } from "../live/live-events";

export interface PinOutcome {
  deployment: DeploymentEntity;
  change: LiveChangeEntity | null;
}

/** The pin fields of a deployment row when pinned by `actor` now, or when unpinned. */
export const pinnedBy = (actor: string, at: Date, reason: string | null) => ({ pinnedAt: at, pinnedBy: actor, pinReason: reason });
export const UNPINNED = { pinnedAt: null, pinnedBy: null, pinReason: null };

export function deploymentPinned(deployment: DeploymentEntity): WaymarkError {
  const reason = deployment.pinReason ? ` ("${deployment.pinReason}")` : "";
  return new WaymarkError(
    ErrorCode.DEPLOYMENT_PINNED,
    `The live version is pinned by ${deployment.pinnedBy}${reason}; pass unpin: true to move it and lift the pin, or unpinLive first`,
    { pinnedBy: deployment.pinnedBy, pinnedAt: deployment.pinnedAt?.toISOString() ?? null },
  );
}

/** Pins and unpins a deployment's live version (README, "What the API guarantees"). */
export class PinService {
  constructor(
    private readonly db: Database,
    private readonly events: LiveEvents,
    private readonly now: () => Date,
  ) {}

  pin(scope: Caller, input: { deploymentId: string; reason?: string | null }): Promise<PinOutcome> {
    return this.set(scope, input, "PIN");
  }

  unpin(scope: Caller, input: { deploymentId: string; reason?: string | null }): Promise<PinOutcome> {
    return this.set(scope, input, "UNPIN");
  }

  /** One write: the deployment row and its PIN/UNPIN log entry; a deployment already in that state is left alone. */
  private async set(scope: Caller, input: { deploymentId: string; reason?: string | null }, kind: "PIN" | "UNPIN"): Promise<PinOutcome> {
    const key = decodeId("deployment", input.deploymentId);
    if (key === null) throw deploymentNotFound(input.deploymentId);
    const { result, change } = await this.db.store.write(async (tx): Promise<Work<DeploymentEntity>> => {
      const deployment = await lockDeployment(tx, scope.workspaceId, { id: key });
      if (!deployment || deployment.liveVersionId == null) throw deploymentNotFound(input.deploymentId);
      if ((deployment.pinnedAt != null) === (kind === "PIN")) return { result: deployment };
      const at = this.now();
      const reason = input.reason ?? null;
      return {
        result: deployment,
        append: {
          deployment: { row: deployment, set: { ...(kind === "PIN" ? pinnedBy(scope.actor, at, reason) : UNPINNED), updatedAt: at } },
          change: {
            workspaceId: scope.workspaceId,
            deploymentId: deployment.id,
            kind,
            previousVersionId: deployment.liveVersionId,
            liveVersionId: deployment.liveVersionId,
            actor: scope.actor,
            reason,
            at,
          },
        },
      };
    });
    if (change) this.events.publish(liveEventOf(change, result.flowName));
    return { deployment: result, change };
  }
}

import type { Caller } from "../auth/caller";
import type { ChangeFields } from "../db/write-store";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import type { LiveChangeEntity, LiveChangeKind } from "./live-change.entity";
import type { LiveEvents } from "./live-events";
import { liveEventOf } from "./live-event";

/**
 * A live-log entry for a change of `deployment` that does not move its pointer (settings,
 * lifecycle), so its subscribers receive it in order with the moves. Both version ids are the
 * live one. None for a deployment with no live version yet: nobody can be watching it.
 */
export function deploymentChange(
  caller: Caller,
  deployment: DeploymentEntity,
  kind: Exclude<LiveChangeKind, "CREATE" | "ROLLBACK" | "PROMOTE">,
  at: Date,
  details: LiveChangeEntity["details"] = null,
): ChangeFields | undefined {
  if (deployment.liveVersionId == null) return undefined;
  return {
    workspaceId: caller.workspaceId,
    deploymentId: deployment.id,
    kind,
    previousVersionId: deployment.liveVersionId,
    liveVersionId: deployment.liveVersionId,
    actor: caller.actor,
    reason: null,
    at,
    details,
  };
}

/** Tells subscribers of every committed change, in order. */
export function publishAll(events: LiveEvents, changes: LiveChangeEntity[], flowName: string): void {
  for (const change of changes) events.publish(liveEventOf(change, flowName));
}

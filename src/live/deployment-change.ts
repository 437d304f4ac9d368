import type { Scope } from "../context";
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
  scope: Scope,
  deployment: DeploymentEntity,
  kind: Exclude<LiveChangeKind, "CREATE" | "ROLLBACK" | "PROMOTE">,
  at: Date,
  details: LiveChangeEntity["details"] = null,
): ChangeFields | undefined {
  if (deployment.liveVersionId == null) return undefined;
  return {
    workspaceId: scope.workspaceId, deploymentId: deployment.id, kind, previousVersionId: deployment.liveVersionId,
    liveVersionId: deployment.liveVersionId, actor: scope.actor, reason: null, at, details,
  };
}

/** Tells subscribers of every committed change, in order. */
export function publishAll(events: LiveEvents, changes: LiveChangeEntity[], flowName: string): void {
  for (const change of changes) events.publish(liveEventOf(change, flowName));
}

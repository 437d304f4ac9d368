import type { Caller } from "../auth/caller";
import type { AuditFields } from "../db/write-store";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import type { JsonValue } from "../json-limits";
import type { AuditKind } from "./audit-kinds";

/** An audit entry of a change to `deployment` (or to the workspace, when null), by the caller. */
export function auditEntry(
  caller: Caller,
  kind: AuditKind,
  deployment: Pick<DeploymentEntity, "id" | "flowName" | "name"> | null,
  at: Date,
  details: { [key: string]: JsonValue } | null = null,
  versionId: number | null = null,
): AuditFields {
  return {
    workspaceId: caller.workspaceId,
    kind,
    deploymentId: deployment?.id ?? null,
    flowName: deployment?.flowName ?? null,
    deploymentName: deployment?.name ?? null,
    versionId,
    actor: caller.actor,
    at,
    details,
  };
}

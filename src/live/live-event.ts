import { LIVE_CHANGE_KINDS, type LiveChangeEntity } from "./live-change.entity";

/**
 * A committed live change as it travels between instances: plain JSON (ids and an ISO time),
 * so it survives Redis unchanged; subscribers resolve full objects from the ids.
 */
export interface LiveEvent {
  changeId: number;
  workspaceId: number;
  sequence: number;
  deploymentId: number;
  flowName: string;
  /** VERSION_CREATED is no log entry: see release/staging.ts. */
  kind: LiveChangeEntity["kind"] | "VERSION_CREATED";
  previousVersionId: number | null;
  liveVersionId: number;
  actor: string;
  reason: string | null;
  at: string;
  details?: LiveChangeEntity["details"];
  /** VERSION_CREATED only: the version recorded without going live. */
  versionId?: number;
}

export function liveEventOf(change: LiveChangeEntity, flowName: string): LiveEvent {
  return {
    changeId: change.id,
    workspaceId: change.workspaceId,
    sequence: change.sequence,
    deploymentId: change.deploymentId,
    flowName,
    kind: change.kind,
    previousVersionId: change.previousVersionId,
    liveVersionId: change.liveVersionId,
    actor: change.actor,
    reason: change.reason,
    at: change.at.toISOString(),
    details: change.details ?? null,
  };
}

const INT_FIELDS = ["changeId", "workspaceId", "sequence", "deploymentId", "liveVersionId"] as const;

/** Parses an event received from another instance; anything malformed is null, never thrown. */
export function parseLiveEvent(text: string): LiveEvent | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (!INT_FIELDS.every((f) => Number.isSafeInteger(value[f]))) return null;
    if (typeof value.flowName !== "string" || typeof value.at !== "string" || typeof value.actor !== "string") return null;
    if (!([...LIVE_CHANGE_KINDS, "VERSION_CREATED"] as readonly string[]).includes(String(value.kind))) return null;
    if (value.kind === "VERSION_CREATED" && !Number.isSafeInteger(value.versionId)) return null;
    return value as unknown as LiveEvent;
  } catch {
    return null;
  }
}

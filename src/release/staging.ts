import type { Work } from "../db/write-store";
import type { DeploymentEntity } from "../deployment/deployment.entity";
import { badInput } from "../errors";
import type { LiveEvent } from "../live/live-event";
import type { CreateRequest } from "../version/create-input";
import type { RowSource } from "../version/idempotency";
import { contentHashOf } from "../version/snapshot";
import type { IdempotencyKeyEntity } from "../version/idempotency-key.entity";
import type { CreateOutcome } from "../version/version.service";
import type { VersionEntity } from "../version/version.entity";
import { NotLiveReason } from "./release-enums";

/**
 * What an idempotency record holds as its changeId when the create appended no live change (live
 * changes have ids from 1): the retry must answer the same outcome, so the reason is kept.
 */
export const NO_LIVE_CHANGE = { [NotLiveReason.NOT_REQUESTED]: 0, [NotLiveReason.PINNED]: -2, SKIPPED: -1 } as const;

export const isWithoutChange = (record: IdempotencyKeyEntity) => record.changeId <= 0;

export function replayedNotLiveReason(record: IdempotencyKeyEntity): NotLiveReason | null {
  if (record.changeId === NO_LIVE_CHANGE.PINNED) return NotLiveReason.PINNED;
  if (record.changeId === NO_LIVE_CHANGE.NOT_REQUESTED) return NotLiveReason.NOT_REQUESTED;
  return null;
}

/** Why the version a create makes will not go live, or null when it will. */
export function notLiveReasonOf(request: CreateRequest, deployment: DeploymentEntity): NotLiveReason | null {
  const reason = deployment.pinnedAt != null ? NotLiveReason.PINNED : request.makeLive === "NEVER" ? NotLiveReason.NOT_REQUESTED : null;
  // Every deployment that exists has a live version: its first one always goes live.
  if (reason && deployment.liveVersionId == null)
    throw badInput("makeLive: NEVER needs a deployment with a live version: a deployment's first version always becomes live");
  return reason;
}

/** The tail of a create that records `version` without moving the live pointer: no log entry, no sequence. */
export function stagedWork(
  deployment: DeploymentEntity,
  version: VersionEntity,
  request: CreateRequest,
  hash: string | null,
  reason: NotLiveReason,
  at: Date,
): Work<CreateOutcome> {
  const key = request.idempotencyKey;
  return {
    result: { deployment, version, change: null, dryRun: false, becameLive: false, notLiveReason: reason, created: true, fresh: true },
    append: {
      deployment: { row: deployment, set: { ...request.settings, lastNumber: version.number, updatedAt: at } },
      idempotency: key && hash ? { key, requestHash: hash, versionId: version.id, changeId: NO_LIVE_CHANGE[reason], at } : undefined,
    },
  };
}

/**
 * The subscription event of a version recorded without going live. It is no entry of the live
 * log and takes no sequence: subscribers connected when it happens receive it, stamped with the
 * sequence of the last live change they received (live-subscriptions.ts); a resume with
 * afterSequence does not replay it (the deployment's `versions` list has every version).
 */
export function stagedEventOf(deployment: DeploymentEntity, version: VersionEntity): LiveEvent {
  const live = deployment.liveVersionId!;
  return {
    changeId: 0,
    workspaceId: deployment.workspaceId,
    sequence: 0,
    deploymentId: deployment.id,
    flowName: deployment.flowName,
    kind: "VERSION_CREATED",
    previousVersionId: live,
    liveVersionId: live,
    actor: version.createdBy,
    reason: null,
    at: version.createdAt.toISOString(),
    versionId: version.id,
  };
}

/** The live version, when ifUnchanged: SKIP and the request's content equals it; else null. */
export async function unchangedLive(source: RowSource, request: CreateRequest, deployment: DeploymentEntity): Promise<VersionEntity | null> {
  if (request.ifUnchanged !== "SKIP" || deployment.liveVersionId == null) return null;
  const { version } = source.tables;
  const [raw] = await source.rows(`SELECT ${version.columns} FROM ${version.name} WHERE id = ?`, [deployment.liveVersionId]);
  const live = raw ? version.fromRow(raw) : null;
  return live && live.contentHash === contentHashOf(request.snapshot) ? live : null;
}

/**
 * A skipped create: no version, no log entry, no event. Settings sent along are still applied
 * (and with an idempotency key the outcome is remembered), which writes the deployment row.
 */
export function skippedWork(deployment: DeploymentEntity, live: VersionEntity, request: CreateRequest, hash: string | null, at: Date): Work<CreateOutcome> {
  const key = request.idempotencyKey;
  const result: CreateOutcome = { deployment, version: live, change: null, dryRun: false, becameLive: true, notLiveReason: null, created: false };
  const settings = Object.keys(request.settings).length > 0;
  if (!settings && !(key && hash)) return { result };
  return {
    result,
    append: {
      deployment: { row: deployment, set: settings ? { ...request.settings, updatedAt: at } : {} },
      idempotency: key && hash ? { key, requestHash: hash, versionId: live.id, changeId: NO_LIVE_CHANGE.SKIPPED, at } : undefined,
    },
  };
}

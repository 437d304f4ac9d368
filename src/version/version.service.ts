import type { Caller } from "../auth/caller";
import { RetryTransaction, type Database } from "../db/database";
import { isUniqueViolation } from "../db/unique-violation";
import { appendedOf, type AuditFields, type Work, type WriteTx } from "../db/write-store";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { checkExpectedLive, checkNotArchived, deploymentNotFound, findDeployment, lockDeploymentWithFlags } from "../deployment/deployment.lock";
import { badTwins } from "../release/flag.service";
import type { LiveChangeEntity } from "../live/live-change.entity";
import type { LiveEvents } from "../live/live-events";
import { auditEntry } from "../audit/audit";
import { AuditKind } from "../audit/audit-kinds";
import { settingsDiff } from "../deployment/settings";
import type { JsonValue } from "../json-limits";
import { deploymentChange, publishAll } from "../live/deployment-change";
import { createRequestOf, type CreateRequest } from "./create-input";
import { changeById, earlierOutcome, requestHashOf, type RowSource } from "./idempotency";
import type { IdempotencyKeyEntity } from "./idempotency-key.entity";
import { contentHashOf, defaultVersionName } from "./snapshot";
import { VersionEntity } from "./version.entity";
import type { CreateVersionInput } from "./version.input";
import type { NotLiveReason } from "../release/release-enums";
import {
  isWithoutChange,
  NO_LIVE_CHANGE,
  notLiveReasonOf,
  skippedWork,
  unchangedLive,
  replayedNotLiveReason,
  stagedEventOf,
  stagedWork,
} from "../release/staging";

export interface CreateOutcome {
  deployment: DeploymentEntity;
  version: VersionEntity;
  /** Null for a dry run, and when the version did not become live. */
  change: LiveChangeEntity | null;
  dryRun: boolean;
  /** False when the version was recorded without going live (see notLiveReason). */
  becameLive: boolean;
  notLiveReason: NotLiveReason | null;
  /** False when ifUnchanged: SKIP found the live version's content: `version` is the live one. */
  created: boolean;
  /** True only for the call that wrote this outcome (not a replay): it publishes the event. */
  fresh?: boolean;
}

/** What createVersion answers: the outcome, and things to know about it. */
export interface Created extends CreateOutcome {
  /** E.g. that the content equals a version flagged BAD (naming it). */
  warnings: string[];
}

/** A placeholder key for what a dry run would create: no id encodes to it, so it never resolves. */
export const DRY_RUN_KEY = 0;

export class VersionService {
  constructor(
    private readonly db: Database,
    private readonly events: LiveEvents,
    private readonly now: () => Date,
  ) {}

  /** Creates a version and makes it live (docs/design.md: "Versions", "The live pointer", "Compare-and-set", "Idempotency", "The write transaction", "Refused input"). */
  async create(caller: Caller, input: CreateVersionInput): Promise<Created> {
    const key = input.idempotencyKey ?? null;
    const hash = key ? requestHashOf(input) : null;
    const dryRun = input.dryRun === true;
    // The key is checked before anything else: a retry gets the first answer even if the
    // deployment has moved on since (and a dry run answers what that retry would).
    if (key && hash) {
      const earlier = await earlierOutcome(this.db.reads, caller.workspaceId, key, hash);
      if (earlier) return this.withWarnings(await this.replay(this.db.reads, earlier, dryRun), true);
    }
    const request = createRequestOf(input);
    if (dryRun) return this.withWarnings(await this.dryRun(caller, request), true);
    let everFlaggedBad = false;
    const written = await this.db.store.write(async (tx): Promise<Work<CreateOutcome>> => {
      const at = this.now();
      const target = await this.targetDeployment(tx, caller, request, at);
      const { deployment } = target;
      everFlaggedBad = target.everFlaggedBad;
      // Checked again under the deployment's lock: a twin of this request that committed while
      // this one waited must be answered with its outcome, not refused by expectedLiveVersionId.
      if (key && hash) {
        const earlier = await earlierOutcome(tx, caller.workspaceId, key, hash);
        if (earlier) return { result: await this.replay(tx, earlier, false) };
      }
      return this.createIn(tx, caller, request, hash, deployment, at);
    });
    const { result, change } = written;
    if (!change) {
      if (result.fresh) this.events.publish(stagedEventOf(result.deployment, result.version));
      return this.withWarnings(result, everFlaggedBad);
    }
    publishAll(this.events, appendedOf(written), result.deployment.flowName);
    return this.withWarnings({ ...result, change }, everFlaggedBad);
  }

  /**
   * The outcome with its warnings: the deployment's BAD versions with the same content, looked for
   * only when it may have some (`mayHaveTwins`: a create read under the lock whether any version
   * was ever flagged BAD), so most creates spend no statement on it.
   */
  private async withWarnings(outcome: CreateOutcome, mayHaveTwins: boolean): Promise<Created> {
    const { deployment, version } = outcome;
    const warnings = mayHaveTwins && deployment.id !== DRY_RUN_KEY ? await badTwins(this.db.reads, deployment.id, version.contentHash) : [];
    return { ...outcome, warnings };
  }

  private async createIn(
    tx: WriteTx,
    caller: Caller,
    request: CreateRequest,
    hash: string | null,
    deployment: DeploymentEntity,
    at: Date,
  ): Promise<Work<CreateOutcome>> {
    checkNotArchived(deployment);
    checkExpectedLive(deployment, request.expectedLiveVersionId);
    // Settings a new deployment starts with are part of its creation, not a change of it.
    const { set, changes } = settingsDiff(deployment, request.settings);
    const isNew = deployment.lastNumber === 0;
    const settingsAudit =
      changes.length > 0 && !isNew ? [auditEntry(caller, AuditKind.SETTINGS_CHANGED, deployment, at, { changes: changes as unknown as JsonValue })] : [];
    const unchanged = await unchangedLive(tx, request, deployment);
    if (unchanged) return withAudit(skippedWork(deployment, unchanged, request, hash, at), settingsAudit);
    const notLive = notLiveReasonOf(request, deployment);
    const version = this.versionOf(caller, request, deployment, at);
    version.id = await tx.insert(tx.tables.version, version);
    const key = request.idempotencyKey;
    const created = auditEntry(
      caller,
      AuditKind.VERSION_CREATED,
      deployment,
      at,
      { number: version.number, version: version.version, contentHash: version.contentHash },
      version.id,
    );
    // A staged version's settings are audited, not pushed: the subscription's SETTINGS events ride on a live-log entry.
    if (notLive) return withAudit(stagedWork(deployment, version, request, hash, notLive, at), [...settingsAudit, created]);
    const settingsChange = changes.length > 0 ? deploymentChange(caller, deployment, "SETTINGS", at, { settings: changes }) : undefined;
    return {
      result: { deployment, version, change: null, dryRun: false, becameLive: true, notLiveReason: null, created: true },
      append: {
        deployment: { row: deployment, set: { ...set, lastNumber: version.number, liveVersionId: version.id, updatedAt: at } },
        earlier: settingsChange ? [settingsChange] : undefined,
        audit: [...settingsAudit, created],
        change: {
          workspaceId: caller.workspaceId,
          deploymentId: deployment.id,
          kind: "CREATE",
          previousVersionId: deployment.liveVersionId,
          liveVersionId: version.id,
          actor: caller.actor,
          reason: null,
          at,
        },
        // A concurrent request with the same key that won makes this insert fail (unique
        // index); the store then runs this work again, which answers with the winner's outcome.
        idempotency: key && hash ? { key, requestHash: hash, versionId: version.id } : undefined,
      },
    };
  }

  /** The version a create would make next in `deployment` (its id still unknown). */
  private versionOf(caller: Caller, request: CreateRequest, deployment: DeploymentEntity, at: Date): VersionEntity {
    const number = deployment.lastNumber + 1;
    const { source } = request;
    return Object.assign(new VersionEntity(), {
      ...request.snapshot,
      deploymentId: deployment.id,
      number,
      version: request.versionName ?? defaultVersionName(number, source?.commitSha),
      contentHash: contentHashOf(request.snapshot),
      sourceType: source?.type ?? null,
      sourceVersion: source?.version ?? null,
      sourceCommitSha: source?.commitSha ?? null,
      sourceBranch: source?.branch ?? null,
      sourceRepository: source?.repository ?? null,
      sourceUrl: source?.url ?? null,
      sourceMessage: source?.message ?? null,
      createdAt: at,
      createdBy: caller.actor,
      prunedAt: null,
    });
  }

  /**
   * What a create would answer, from the committed store and without a lock: every check of a
   * real call but the race a concurrent writer might still win. Placeholder keys (DRY_RUN_KEY)
   * stand for the rows a real call would insert.
   */
  private async dryRun(caller: Caller, request: CreateRequest): Promise<CreateOutcome> {
    const at = this.now();
    const found = await findDeployment(this.db.reads, caller.workspaceId, request.target);
    if (!found && "id" in request.target) throw deploymentNotFound(request.target.publicId);
    const deployment = found ?? this.newDeployment(caller, request, at);
    checkNotArchived(deployment);
    checkExpectedLive(deployment, request.expectedLiveVersionId);
    const unchanged = found ? await unchangedLive(this.db.reads, request, deployment) : null;
    if (unchanged)
      return {
        deployment: Object.assign(deployment, request.settings),
        version: unchanged,
        change: null,
        dryRun: true,
        becameLive: true,
        notLiveReason: null,
        created: false,
      };
    const notLive = notLiveReasonOf(request, deployment);
    const version = Object.assign(this.versionOf(caller, request, deployment, at), { id: DRY_RUN_KEY });
    Object.assign(deployment, request.settings, { lastNumber: version.number, liveVersionId: notLive ? deployment.liveVersionId : version.id, updatedAt: at });
    return { deployment, version, change: null, dryRun: true, becameLive: !notLive, notLiveReason: notLive, created: true };
  }

  private newDeployment(caller: Caller, request: CreateRequest, at: Date): DeploymentEntity {
    const target = request.target as { flowName: string; name: string };
    return Object.assign(new DeploymentEntity(), {
      id: DRY_RUN_KEY,
      workspaceId: caller.workspaceId,
      flowName: target.flowName,
      name: target.name,
      paused: false,
      schedules: [],
      concurrencyLimit: null,
      concurrencyOptions: null,
      liveVersionId: null,
      lastNumber: 0,
      revision: 0,
      createdAt: at,
      updatedAt: at,
      archivedAt: null,
      deletedAt: null,
      deletedKey: 0,
      retentionKeepLast: null,
      retentionKeepDays: null,
    });
  }

  /** The deployment named by the request, locked; created (with no versions yet) when absent. */
  private async targetDeployment(
    tx: WriteTx,
    caller: Caller,
    request: CreateRequest,
    at: Date,
  ): Promise<{ deployment: DeploymentEntity; everFlaggedBad: boolean }> {
    const found = await lockDeploymentWithFlags(tx, caller.workspaceId, request.target);
    if (found) return found;
    if ("id" in request.target) throw deploymentNotFound(request.target.publicId);
    const deployment = this.newDeployment(caller, request, at);
    try {
      deployment.id = await tx.insert(tx.tables.deployment, deployment);
      return { deployment, everFlaggedBad: false };
    } catch (error) {
      // Another transaction created it first: start over and lock that one instead.
      if (isUniqueViolation(error)) throw new RetryTransaction();
      throw error;
    }
  }

  private async replay(source: RowSource, earlier: IdempotencyKeyEntity, dryRun: boolean): Promise<CreateOutcome> {
    const { tables } = source;
    const [version] = await source.rows(`SELECT ${tables.version.columns} FROM ${tables.version.name} WHERE id = ?`, [earlier.versionId]);
    if (!version) throw new Error(`version ${earlier.versionId} is missing`);
    const found = tables.version.fromRow(version);
    const [deployment] = await source.rows(`SELECT ${tables.deployment.columns} FROM ${tables.deployment.name} WHERE id = ?`, [found.deploymentId]);
    if (!deployment) throw new Error(`deployment ${found.deploymentId} is missing`);
    const without = isWithoutChange(earlier);
    const change = dryRun || without ? null : await changeById(source, earlier.changeId);
    const notLiveReason = without ? replayedNotLiveReason(earlier) : null;
    const skipped = earlier.changeId === NO_LIVE_CHANGE.SKIPPED;
    return { deployment: tables.deployment.fromRow(deployment), version: found, change, dryRun, becameLive: !notLiveReason, notLiveReason, created: !skipped };
  }
}

/** A staged or skipped create's work with its audit entries (settings applied, a version recorded). */
function withAudit(work: Work<CreateOutcome>, audit: AuditFields[]): Work<CreateOutcome> {
  if (audit.length === 0) return work;
  if (!work.append) throw new Error("audited work must write");
  return { ...work, append: { ...work.append, audit: [...(work.append.audit ?? []), ...audit] } };
}

import type { EntityManager } from "typeorm";
import type { Caller } from "../auth/caller";
import { RetryTransaction, type Database } from "../db/database";
import { sqlOf } from "../db/sql";
import { isUniqueViolation } from "../db/unique-violation";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { checkExpectedLive, deploymentNotFound, lockDeployment } from "../deployment/deployment.lock";
import { insertDeployment, updateDeploymentSql } from "../deployment/deployment.rows";
import { appendChangeAndCommit } from "../live/live-log";
import type { LiveEvents } from "../live/live-events";
import { liveEventOf } from "../live/live-event";
import { LiveChangeEntity } from "../live/live-change.entity";
import { createRequestOf, type CreateRequest } from "./create-input";
import { earlierOutcome, requestHashOf } from "./idempotency";
import { IdempotencyKeyEntity } from "./idempotency-key.entity";
import { contentHashOf, defaultVersionName } from "./snapshot";
import { VersionEntity } from "./version.entity";
import { insertVersion } from "./version.rows";
import type { CreateVersionInput } from "./version.input";

export interface CreateOutcome {
  deployment: DeploymentEntity;
  version: VersionEntity;
  change: LiveChangeEntity;
}

export class VersionService {
  constructor(
    private readonly db: Database,
    private readonly events: LiveEvents,
    private readonly now: () => Date,
  ) {}

  /** Creates a version and makes it live (docs/design.md: "The live pointer", "Compare-and-set", "Idempotency", "The write transaction", "Refused input"). */
  async create(caller: Caller, input: CreateVersionInput): Promise<CreateOutcome> {
    const key = input.idempotencyKey ?? null;
    const hash = key ? requestHashOf(input) : null;
    // The key is checked before anything else: a retry gets the first answer even if the
    // deployment has moved on since.
    if (key && hash) {
      const earlier = await earlierOutcome(this.db.reader, caller.workspaceId, key, hash);
      if (earlier) return this.replay(this.db.reader, earlier);
    }
    const request = createRequestOf(input);
    const outcome = await this.db.write(async (tx) => {
      const at = this.now();
      const deployment = await this.targetDeployment(tx, caller, request, at);
      // Checked again under the deployment's lock: a twin of this request that committed while
      // this one waited must be answered with its outcome, not refused by expectedLiveVersionId.
      if (key && hash) {
        const earlier = await earlierOutcome(tx, caller.workspaceId, key, hash);
        if (earlier) return { ...(await this.replay(tx, earlier)), replayed: true };
      }
      return { ...(await this.createIn(tx, caller, request, hash, deployment, at)), replayed: false };
    });
    if (!outcome.replayed) this.events.publish(liveEventOf(outcome.change, outcome.deployment.flowName));
    return outcome;
  }

  private async createIn(tx: EntityManager, caller: Caller, request: CreateRequest, hash: string | null, deployment: DeploymentEntity, at: Date): Promise<CreateOutcome> {
    checkExpectedLive(deployment, request.expectedLiveVersionId);
    const sql = sqlOf(tx);
    const number = deployment.lastNumber + 1;
    const version = Object.assign(new VersionEntity(), {
      ...request.snapshot,
      deploymentId: deployment.id,
      number,
      version: request.versionName ?? defaultVersionName(number, request.source?.commitSha),
      contentHash: contentHashOf(request.snapshot),
      ...sourceColumns(request),
      createdAt: at,
      createdBy: caller.actor,
    });
    version.id = await insertVersion(sql, version);
    const previousVersionId = deployment.liveVersionId;
    Object.assign(deployment, request.settings, { lastNumber: number, liveVersionId: version.id, updatedAt: at });
    const move = updateDeploymentSql(deployment.id, request.settings, [["last_number", number], ["live_version_id", version.id], ["updated_at", at.getTime()]]);
    const key = request.idempotencyKey;
    const change = await appendChangeAndCommit(
      tx,
      { workspaceId: caller.workspaceId, deploymentId: deployment.id, kind: "CREATE", previousVersionId, liveVersionId: version.id, actor: caller.actor, reason: null, at },
      {
        before: [move],
        // A concurrent request with the same key that won fails this insert (unique index); the
        // transaction is then rolled back and retried, and answers with the winner's outcome.
        after: key && hash ? (changeId) => [
          `INSERT INTO idempotency_key (workspace_id, \`key\`, request_hash, version_id, change_id, created_at) VALUES (?, ?, ?, ?, ${changeId.sql}, ?)`,
          [caller.workspaceId, key, hash, version.id, ...changeId.params, at.getTime()],
        ] : undefined,
      },
    ).catch((error: unknown) => {
      if (isUniqueViolation(error) && key) throw new RetryTransaction();
      throw error;
    });
    return { deployment, version, change };
  }

  /** The deployment named by the request, locked; created (with no versions yet) when absent. */
  private async targetDeployment(tx: EntityManager, caller: Caller, request: CreateRequest, at: Date): Promise<DeploymentEntity> {
    const found = await lockDeployment(this.db, tx, caller.workspaceId, request.target);
    if (found) return found;
    if ("id" in request.target) throw deploymentNotFound(request.target.publicId);
    try {
      return await insertDeployment(sqlOf(tx), {
        workspaceId: caller.workspaceId, flowName: request.target.flowName, name: request.target.name,
        paused: false, schedules: [], concurrencyLimit: null, concurrencyOptions: null,
        liveVersionId: null, lastNumber: 0, createdAt: at, updatedAt: at,
      });
    } catch (error) {
      // Another transaction created it first: start over and lock that one instead.
      if (isUniqueViolation(error)) throw new RetryTransaction();
      throw error;
    }
  }

  private async replay(manager: EntityManager, earlier: IdempotencyKeyEntity): Promise<CreateOutcome> {
    const version = await manager.getRepository(VersionEntity).findOneByOrFail({ id: earlier.versionId });
    const change = await manager.getRepository(LiveChangeEntity).findOneByOrFail({ id: earlier.changeId });
    const deployment = await manager.getRepository(DeploymentEntity).findOneByOrFail({ id: version.deploymentId });
    return { deployment, version, change };
  }
}

function sourceColumns({ source }: CreateRequest) {
  return {
    sourceType: source?.type ?? null, sourceVersion: source?.version ?? null, sourceCommitSha: source?.commitSha ?? null,
    sourceBranch: source?.branch ?? null, sourceRepository: source?.repository ?? null, sourceUrl: source?.url ?? null,
    sourceMessage: source?.message ?? null,
  };
}

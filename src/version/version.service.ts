import type { EntityManager } from "typeorm";
import type { Scope } from "../context";
import { RetryTransaction, type Database } from "../db/database";
import { isUniqueViolation } from "../db/unique-violation";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { checkExpectedLive, deploymentNotFound, lockDeployment } from "../deployment/deployment.lock";
import { appendChange } from "../live/live-log";
import type { LiveEvents } from "../live/live-events";
import { liveEventOf } from "../live/live-event";
import { LiveChangeEntity } from "../live/live-change.entity";
import { createRequestOf, type CreateRequest } from "./create-input";
import { earlierOutcome, requestHashOf } from "./idempotency";
import { IdempotencyKeyEntity } from "./idempotency-key.entity";
import { contentHashOf, defaultVersionName } from "./snapshot";
import { VersionEntity } from "./version.entity";
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

  /** Creates a version and makes it live (SPEC §1 rules 1, 4, 5, 6, 8). */
  async create(scope: Scope, input: CreateVersionInput): Promise<CreateOutcome> {
    const key = input.idempotencyKey ?? null;
    const hash = key ? requestHashOf(input) : null;
    // The key is checked before anything else: a retry gets the first answer even if the
    // deployment has moved on since.
    if (key && hash) {
      const earlier = await earlierOutcome(this.db.reader, scope.workspaceId, key, hash);
      if (earlier) return this.replay(this.db.reader, earlier);
    }
    const request = createRequestOf(input);
    const outcome = await this.db.write(async (tx) => {
      const at = this.now();
      const deployment = await this.targetDeployment(tx, scope, request, at);
      // Checked again under the deployment's lock: a twin of this request that committed while
      // this one waited must be answered with its outcome, not refused by expectedLiveVersionId.
      if (key && hash) {
        const earlier = await earlierOutcome(tx, scope.workspaceId, key, hash);
        if (earlier) return { ...(await this.replay(tx, earlier)), replayed: true };
      }
      return { ...(await this.createIn(tx, scope, request, hash, deployment, at)), replayed: false };
    });
    if (!outcome.replayed) this.events.publish(liveEventOf(outcome.change, outcome.deployment.flowName));
    return outcome;
  }

  private async createIn(tx: EntityManager, scope: Scope, request: CreateRequest, hash: string | null, deployment: DeploymentEntity, at: Date): Promise<CreateOutcome> {
    checkExpectedLive(deployment, request.expectedLiveVersionId);
    const number = deployment.lastNumber + 1;
    const version = tx.getRepository(VersionEntity).create({
      ...request.snapshot,
      deploymentId: deployment.id,
      number,
      version: request.versionName ?? defaultVersionName(number, request.source?.commitSha),
      contentHash: contentHashOf(request.snapshot),
      ...sourceColumns(request),
      createdAt: at,
      createdBy: scope.actor,
    });
    await tx.getRepository(VersionEntity).insert(version);
    const previousVersionId = deployment.liveVersionId;
    Object.assign(deployment, request.settings, { lastNumber: number, liveVersionId: version.id, updatedAt: at });
    await tx.getRepository(DeploymentEntity).update(
      { id: deployment.id },
      { ...request.settings, lastNumber: number, liveVersionId: version.id, updatedAt: at },
    );
    // Last: from here until commit the workspace counter is locked for every other writer.
    const change = await appendChange(tx, {
      workspaceId: scope.workspaceId, deploymentId: deployment.id, kind: "CREATE",
      previousVersionId, liveVersionId: version.id, actor: scope.actor, reason: null, at,
    });
    if (request.idempotencyKey && hash) await this.remember(tx, scope, request.idempotencyKey, hash, version, change, at);
    return { deployment, version, change };
  }

  /** The deployment named by the request, locked; created (with no versions yet) when absent. */
  private async targetDeployment(tx: EntityManager, scope: Scope, request: CreateRequest, at: Date): Promise<DeploymentEntity> {
    const found = await lockDeployment(this.db, tx, scope.workspaceId, request.target);
    if (found) return found;
    if ("id" in request.target) throw deploymentNotFound(request.target.publicId);
    const created = tx.getRepository(DeploymentEntity).create({
      workspaceId: scope.workspaceId, flowName: request.target.flowName, name: request.target.name,
      paused: false, schedules: [], concurrencyLimit: null, concurrencyOptions: null,
      liveVersionId: null, lastNumber: 0, createdAt: at, updatedAt: at,
    });
    try {
      await tx.getRepository(DeploymentEntity).insert(created);
    } catch (error) {
      // Another transaction created it first: start over and lock that one instead.
      if (isUniqueViolation(error)) throw new RetryTransaction();
      throw error;
    }
    return created;
  }

  private async remember(tx: EntityManager, scope: Scope, key: string, requestHash: string, version: VersionEntity, change: LiveChangeEntity, at: Date) {
    try {
      await tx.getRepository(IdempotencyKeyEntity).insert({
        workspaceId: scope.workspaceId, key, requestHash, versionId: version.id, changeId: change.id, createdAt: at,
      });
    } catch (error) {
      // A concurrent request with the same key won: roll back and answer with its outcome.
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

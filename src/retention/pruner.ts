import { randomUUID } from "node:crypto";
import { auditEntry } from "../audit/audit";
import { AuditKind } from "../audit/audit-kinds";
import type { Database } from "../db/database";
import type { Work, WriteTx } from "../db/write-store";
import { lockDeployment } from "../deployment/deployment.lock";
import type { Logger } from "../logger";
import { VersionCache } from "../version/version-cache";
import { toPrune, type Candidate } from "./retention";

/** Idempotency records older than this are deleted: a retry must come within 30 days (README, "Retention"). */
export const IDEMPOTENCY_WINDOW_DAYS = 30;
/** Versions pruned per deployment per transaction, so no pass holds a deployment's lock for long. */
const BATCH = 500;
const LEASE = "retention";
/** The actor of the pass's audit entries. */
export const RETENTION_ACTOR = "retention";

/** The body columns a tombstone empties (to their empty values, as the columns are NOT NULL). */
export const EMPTY_BODY =
  "entrypoint = '', description = NULL, tags = '[]', labels = '{}', parameters = '{}', parameter_openapi_schema = NULL, " +
  "work_pool_name = NULL, work_queue_name = NULL, job_variables = '{}', pull_steps = '[]'";

export interface PruneReport {
  /** False when another instance held the lease. */
  ran: boolean;
  prunedVersions: number;
  expiredIdempotencyKeys: number;
}

/**
 * The retention pass. Every instance runs it periodically; a lease row taken with one
 * conditional UPDATE (the same on SQLite and MySQL) lets one of them at a time do the work.
 * Each deployment is pruned in its own transactions, under its lock, with its audit entry.
 */
export class Pruner {
  private timer: NodeJS.Timeout | null = null;
  private readonly holder = randomUUID();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    private readonly logger: Logger,
    /** This instance's version rows, from which pruned bodies are dropped. */
    private readonly versions: VersionCache = new VersionCache(),
    /** Told of every version whose body was removed, so every instance can drop it from its cache. */
    private readonly onPruned: (versionIds: number[]) => void = () => undefined,
  ) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.runOnce().catch((err: unknown) => this.logger.warn({ err }, "retention pass failed")), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async runOnce(): Promise<PruneReport> {
    const report: PruneReport = { ran: false, prunedVersions: 0, expiredIdempotencyKeys: 0 };
    if (!(await this.takeLease())) return report;
    report.ran = true;
    try {
      const deployments = await this.db.reads.rows<{ id: number; workspace_id: number }>(
        "SELECT id, workspace_id FROM deployment WHERE deleted_key = 0 AND (retention_keep_last IS NOT NULL OR retention_keep_days IS NOT NULL)",
        [],
      );
      for (const d of deployments) {
        for (let pruned = BATCH; pruned === BATCH;) {
          pruned = await this.pruneSome(Number(d.workspace_id), Number(d.id));
          report.prunedVersions += pruned;
        }
      }
      const cutoff = this.now().getTime() - IDEMPOTENCY_WINDOW_DAYS * 86_400_000;
      const expired = await this.db.store.write(async (tx) => ({ result: await tx.run("DELETE FROM idempotency_key WHERE created_at < ?", [cutoff]) }));
      report.expiredIdempotencyKeys = expired.result.affected;
    } finally {
      await this.releaseLease();
    }
    if (report.prunedVersions > 0) this.logger.info(report, "retention pass");
    return report;
  }

  /** Prunes up to BATCH versions of one deployment; returns how many. */
  private async pruneSome(workspaceId: number, deploymentId: number): Promise<number> {
    const { result } = await this.db.store.write(async (tx): Promise<Work<number[]>> => {
      const deployment = await lockDeployment(tx, workspaceId, { id: deploymentId });
      if (!deployment) return { result: [] };
      const at = this.now();
      const doomed = toPrune(
        deployment,
        await candidates(tx, deploymentId),
        await protectedIds(tx, deployment.id, deployment.liveVersionId),
        at.getTime(),
      ).slice(0, BATCH);
      if (doomed.length === 0) return { result: [] };
      const ids = doomed.map((v) => v.id);
      return {
        result: ids,
        append: {
          statements: [[`UPDATE deployment_version SET ${EMPTY_BODY}, pruned_at = ? WHERE id IN (${ids.map(() => "?").join(", ")})`, [at.getTime(), ...ids]]],
          // No field changes, but cached answers about its versions must not be served again.
          deployment: { row: deployment, set: {} },
          audit: [
            auditEntry({ workspaceId, actor: RETENTION_ACTOR }, AuditKind.VERSIONS_PRUNED, deployment, at, {
              numbers: doomed.map((v) => v.number).sort((a, b) => a - b),
              keepLast: deployment.retentionKeepLast,
              keepDays: deployment.retentionKeepDays,
            }),
          ],
        },
      };
    });
    forgetVersions(this.versions, result);
    if (result.length > 0) this.onPruned(result);
    return result.length;
  }

  private async takeLease(): Promise<boolean> {
    const now = this.now().getTime();
    const { result } = await this.db.store.write(async (tx) => ({
      // Held for at most 10 minutes: a crashed holder does not stop pruning for good.
      result: await tx.run("UPDATE maintenance_lease SET holder = ?, expires_at = ? WHERE name = ? AND (expires_at < ? OR holder = ?)", [
        this.holder,
        now + 600_000,
        LEASE,
        now,
        this.holder,
      ]),
    }));
    return result.affected === 1;
  }

  private async releaseLease(): Promise<void> {
    await this.db.store.write(async (tx) => ({
      result: await tx.run("UPDATE maintenance_lease SET holder = NULL, expires_at = 0 WHERE name = ? AND holder = ?", [LEASE, this.holder]),
    }));
  }
}

async function candidates(tx: WriteTx, deploymentId: number): Promise<Candidate[]> {
  const rows = await tx.rows<{ id: number; number: number; created_at: number }>(
    "SELECT id, number, created_at FROM deployment_version WHERE deployment_id = ? AND pruned_at IS NULL ORDER BY number DESC",
    [deploymentId],
  );
  return rows.map((r) => ({ id: Number(r.id), number: Number(r.number), createdAt: Number(r.created_at) }));
}

/** The live version and the last one live before it: never pruned. */
async function protectedIds(tx: WriteTx, deploymentId: number, liveVersionId: number | null): Promise<Set<number>> {
  const [last] = await tx.rows<{ previous_version_id: number | null }>(
    "SELECT previous_version_id FROM live_version_change WHERE deployment_id = ? AND kind IN ('CREATE', 'ROLLBACK', 'PROMOTE') ORDER BY sequence DESC LIMIT 1",
    [deploymentId],
  );
  const ids = new Set<number>();
  if (liveVersionId != null) ids.add(liveVersionId);
  if (last?.previous_version_id != null) ids.add(Number(last.previous_version_id));
  return ids;
}

/** Drops pruned versions from this instance's version cache (which otherwise keeps rows for good). */
export function forgetVersions(cache: VersionCache, versionIds: number[]): void {
  for (const id of versionIds) cache.delete(id);
}

/** The channel on which instances tell each other which versions lost their bodies (pruned, or their deployment deleted). */
export const PRUNED_CHANNEL = "waymark:versions-pruned";

/** Parses a message on PRUNED_CHANNEL; anything malformed is empty. */
export function parsePruned(text: string): number[] {
  try {
    const ids = JSON.parse(text) as unknown;
    return Array.isArray(ids) ? ids.filter((id): id is number => Number.isSafeInteger(id)) : [];
  } catch {
    return [];
  }
}

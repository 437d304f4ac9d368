import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import type { Work, WriteTx } from "../db/write-store";
import { lockDeployment } from "../deployment/deployment.lock";
import { ErrorCode, WaymarkError } from "../errors";
import { decodeId } from "../ids";
import type { VersionEntity } from "../version/version.entity";
import { FlagStatus, type VersionFlag } from "./flag.types";
import { BAD_VERSION_IDS } from "./version-flag.entity";

type Reads = Pick<WriteTx, "rows">;

const versionNotFound = (id: string) => new WaymarkError(ErrorCode.VERSION_NOT_FOUND, `No version "${id.slice(0, 100)}"`);

/** A version's newest flag, or null when it was never flagged. */
export async function flagOf(reads: Reads, versionKey: number): Promise<VersionFlag | null> {
  const [row] = await reads.rows<{ status: FlagStatus; actor: string; reason: string | null; at: number | string }>(
    "SELECT status, actor, reason, at FROM version_flag WHERE version_id = ? ORDER BY id DESC LIMIT 1",
    [versionKey],
  );
  return row ? { status: row.status, by: row.actor, reason: row.reason, at: new Date(Number(row.at)) } : null;
}

/** Numbers and names of the deployment's BAD versions with this content, for createVersion's warning. */
export async function badTwins(reads: Reads, deploymentKey: number, contentHash: string): Promise<string[]> {
  const rows = await reads.rows<{ number: number; version: string }>(
    `SELECT number, version FROM deployment_version WHERE deployment_id = ? AND content_hash = ? AND id IN (${BAD_VERSION_IDS}) ORDER BY number`,
    [deploymentKey, contentHash, deploymentKey],
  );
  return rows.map((r) => `This content equals version ${r.number} ("${r.version}"), which is flagged BAD`);
}

/** Flags versions (README, "What the API guarantees"). */
export class FlagService {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  /** Appends the flag under the deployment's lock; the deployment's revision moves, so cached answers showing the flag refresh. */
  async flag(scope: Caller, input: { versionId: string; status: FlagStatus; reason?: string | null }): Promise<{ version: VersionEntity; flag: VersionFlag }> {
    const key = decodeId("version", input.versionId);
    if (key === null) throw versionNotFound(input.versionId);
    const { result } = await this.db.store.write(async (tx): Promise<Work<{ version: VersionEntity; flag: VersionFlag }>> => {
      const [raw] = await tx.rows(`SELECT ${tx.tables.version.columns} FROM ${tx.tables.version.name} WHERE id = ?`, [key]);
      const version = raw ? tx.tables.version.fromRow(raw) : null;
      const deployment = version && (await lockDeployment(tx, scope.workspaceId, { id: version.deploymentId }));
      if (!version || !deployment) throw versionNotFound(input.versionId);
      const at = this.now();
      const reason = input.reason ?? null;
      await tx.run("INSERT INTO version_flag (deployment_id, version_id, status, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?)", [
        deployment.id,
        version.id,
        input.status,
        scope.actor,
        reason,
        at.getTime(),
      ]);
      return { result: { version, flag: { status: input.status, by: scope.actor, at, reason } }, append: { deployment: { row: deployment, set: {} } } };
    });
    return result;
  }
}

import { badInput, ErrorCode, WaymarkError } from "../errors";
import { encodeId } from "../ids";
import type { RowSource } from "../version/idempotency";

/** The ways a move may name its target besides versionId and number. */
export interface TargetAddress {
  versionId?: string | null;
  number?: number | null;
  name?: string | null;
  commitSha?: string | null;
  previous?: number | null;
}

const MAX_CANDIDATES = 10;

/** At most one way of naming the target; a commitSha prefix of at least 7 hex characters; previous ≥ 1. */
export function checkAddress(input: TargetAddress): void {
  const given = (["versionId", "number", "name", "commitSha", "previous"] as const).filter((k) => input[k] != null);
  if (given.length > 1) throw badInput(`Name the target one way only; got ${given.join(", ")}`);
  if (input.commitSha != null && !/^[0-9a-fA-F]{7,64}$/.test(input.commitSha))
    throw badInput("commitSha must be 7 to 64 hex characters (a prefix of the commit)");
  if (input.previous != null && input.previous < 1) throw badInput("previous must be 1 or more");
}

/**
 * The version key a name or commit prefix names, unique in the deployment; none is
 * VERSION_NOT_FOUND, several is BAD_USER_INPUT listing the candidates (newest first, at most 10).
 * Null when the target is named another way.
 */
export async function addressedKey(source: RowSource, deploymentKey: number, input: TargetAddress): Promise<number | null> {
  let where: [string, unknown[]];
  let what: string;
  if (input.name != null) [where, what] = [["version = ?", [input.name]], `named "${input.name.slice(0, 200)}"`];
  else if (input.commitSha != null)
    [where, what] = [["source_commit_sha LIKE ?", [`${input.commitSha.toLowerCase()}%`]], `with a commit starting ${input.commitSha}`];
  else return null;
  const rows = await source.rows<{ id: number; number: number; version: string; source_commit_sha: string | null }>(
    `SELECT id, number, version, source_commit_sha FROM deployment_version WHERE deployment_id = ? AND ${where[0]} ORDER BY number DESC LIMIT ${MAX_CANDIDATES + 1}`,
    [deploymentKey, ...where[1]],
  );
  if (rows.length === 0) throw new WaymarkError(ErrorCode.VERSION_NOT_FOUND, `No version ${what} in this deployment`);
  if (rows.length === 1) return Number(rows[0]!.id);
  const candidates = rows
    .slice(0, MAX_CANDIDATES)
    .map((r) => ({ id: encodeId("version", Number(r.id)), number: Number(r.number), version: r.version, commitSha: r.source_commit_sha }));
  const listed = candidates.map((c) => `${c.number} (${c.version}${c.commitSha ? `, ${c.commitSha.slice(0, 12)}` : ""})`).join(", ");
  throw badInput(`${rows.length > MAX_CANDIDATES ? "More than 10" : rows.length} versions are ${what}: ${listed}; name one by number`, { candidates });
}

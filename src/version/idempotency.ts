import type { WriteTx } from "../db/write-store";
import { ErrorCode, WaymarkError } from "../errors";
import type { LiveChangeEntity } from "../live/live-change.entity";
import { sha256OfJson } from "./snapshot";
import type { IdempotencyKeyEntity } from "./idempotency-key.entity";

/** Where an earlier outcome is read: a write's transaction, or the committed store. */
export type RowSource = Pick<WriteTx, "rows" | "tables">;

const withoutNulls = (value: object): unknown => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v === null ? undefined : v)));

/**
 * The fingerprint a retry must match: the whole input except the key itself,
 * expectedLiveVersionId (a retry after a success would otherwise always conflict) and dryRun
 * (a dry run answers what the real call would). Absent and null fields are the same request.
 */
export function requestHashOf(input: { idempotencyKey?: string | null; expectedLiveVersionId?: string | null; dryRun?: boolean | null }): string {
  const { idempotencyKey: _key, expectedLiveVersionId: _expected, dryRun: _dryRun, ...rest } = input;
  return sha256OfJson(withoutNulls(rest));
}

/** The same for a pointer move; the mutation's name is part of it, so one key never serves two kinds of request. */
export function moveHashOf(
  mutation: "ROLLBACK" | "PROMOTE",
  input: { idempotencyKey?: string | null; expectedLiveVersionId?: string | null; dryRun?: boolean | null },
): string {
  const { idempotencyKey: _key, expectedLiveVersionId: _expected, dryRun: _dryRun, ...rest } = input;
  return sha256OfJson(withoutNulls({ ...rest, mutation }));
}

/** The earlier outcome for this key, or null when the key is new. Different input is an error. */
export async function earlierOutcome(source: RowSource, workspaceId: number, key: string, requestHash: string): Promise<IdempotencyKeyEntity | null> {
  const table = source.tables.idempotency;
  const [raw] = await source.rows(`SELECT ${table.columns} FROM ${table.name} WHERE workspace_id = ? AND \`key\` = ?`, [workspaceId, key]);
  const row = raw ? table.fromRow(raw) : null;
  if (row && row.requestHash !== requestHash) {
    throw new WaymarkError(ErrorCode.IDEMPOTENCY_KEY_REUSED, "This idempotencyKey was already used with different input; use a new key for a new request");
  }
  return row;
}

/** The live-log entry an earlier request appended. */
export async function changeById(source: RowSource, id: number): Promise<LiveChangeEntity> {
  const table = source.tables.change;
  const [raw] = await source.rows(`SELECT ${table.columns} FROM ${table.name} WHERE id = ?`, [id]);
  if (!raw) throw new Error(`live change ${id} is missing`);
  return table.fromRow(raw);
}

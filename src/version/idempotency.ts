import type { EntityManager } from "typeorm";
import { ErrorCode, WaymarkError } from "../errors";
import { sha256OfJson } from "./snapshot";
import { IdempotencyKeyEntity } from "./idempotency-key.entity";
import type { CreateVersionInput } from "./version.input";

/**
 * The fingerprint a retry must match: the whole input except the key itself and
 * expectedLiveVersionId (a retry after a success would otherwise always conflict).
 * Absent and null fields are the same request.
 */
export function requestHashOf(input: CreateVersionInput): string {
  const { idempotencyKey: _key, expectedLiveVersionId: _expected, ...rest } = input;
  return sha256OfJson(JSON.parse(JSON.stringify(rest, (_k, v: unknown) => (v === null ? undefined : v))));
}

/** The earlier outcome for this key, or null when the key is new. Different input is an error. */
export async function earlierOutcome(
  manager: EntityManager,
  workspaceId: number,
  key: string,
  requestHash: string,
): Promise<IdempotencyKeyEntity | null> {
  const row = await manager.getRepository(IdempotencyKeyEntity).findOne({ where: { workspaceId, key } });
  if (row && row.requestHash !== requestHash) {
    throw new WaymarkError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      "This idempotencyKey was already used with different input; use a new key for a new request",
    );
  }
  return row;
}

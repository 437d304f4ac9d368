import type { DeploymentEntity } from "../deployment/deployment.entity";

const DAY_MS = 86_400_000;

/** A version as the pruning pass weighs it. */
export interface Candidate {
  id: number;
  number: number;
  createdAt: number;
}

/**
 * Which versions lose their body under the deployment's retention: those both outside the
 * keepLast newest and older than keepDays (an unset limit keeps nothing by itself, so with
 * one unset the other alone decides; with both unset nothing is pruned). `protectedIds` — the
 * live version and the one live before it — are always kept. `candidates` are the unpruned
 * versions, newest first.
 */
export function toPrune(
  deployment: Pick<DeploymentEntity, "retentionKeepLast" | "retentionKeepDays" | "lastNumber">,
  candidates: Candidate[],
  protectedIds: Set<number>,
  now: number,
): Candidate[] {
  const { retentionKeepLast: keepLast, retentionKeepDays: keepDays, lastNumber } = deployment;
  if (keepLast == null && keepDays == null) return [];
  return candidates.filter((v) => {
    if (protectedIds.has(v.id)) return false;
    const kept = (keepLast != null && v.number > lastNumber - keepLast) || (keepDays != null && v.createdAt > now - keepDays * DAY_MS);
    return !kept;
  });
}

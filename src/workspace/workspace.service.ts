import type { Database } from "../db/database";
import { isUniqueViolation } from "../db/unique-violation";
import { WorkspaceEntity } from "./workspace.entity";

export const DEFAULT_WORKSPACE = "default";

/** The workspace every request works in until API keys name one; created on first start. */
export async function ensureWorkspace(db: Database, name: string, now: () => Date): Promise<number> {
  const repo = db.dataSource.getRepository(WorkspaceEntity);
  const existing = await repo.findOneBy({ name });
  if (existing) return existing.id;
  try {
    await repo.insert({ name, lastSequence: 0, createdAt: now() });
  } catch (error) {
    // Another instance starting at the same moment created it.
    if (!isUniqueViolation(error)) throw error;
  }
  return (await repo.findOneByOrFail({ name })).id;
}

import { LRUCache } from "lru-cache";
import type { VersionEntity } from "./version.entity";

/** Versions kept per store; at ~2 kB each, a few tens of MB at most. */
const MAX_VERSIONS = 10_000;

/**
 * Version rows are immutable (never updated, never deleted), so once read they can be served to
 * any later request of the same workspace without asking the store again. This is what keeps a
 * live change fanned out to a thousand subscribers from costing a thousand identical SELECTs.
 * Each entry remembers the workspace it was read for: another workspace finds nothing here and
 * asks the store, which refuses it as before. One per app (createApp makes it), dropping the
 * least recently used rows past MAX_VERSIONS.
 */
export class VersionCache {
  private readonly rows = new LRUCache<number, { row: VersionEntity; workspaceId: number }>({ max: MAX_VERSIONS });

  get(id: number, workspaceId: number): VersionEntity | undefined {
    const entry = this.rows.get(id);
    return entry?.workspaceId === workspaceId ? entry.row : undefined;
  }

  /** Forgets a version whose body retention removed (the one change a version row sees). */
  delete(id: number): void {
    this.rows.delete(id);
  }

  set(row: VersionEntity, workspaceId: number): void {
    this.rows.set(row.id, { row, workspaceId });
  }
}

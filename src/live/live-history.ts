import { In } from "typeorm";
import type { Database } from "../db/database";
import { descendingPages, isNumberKey } from "../db/keyset";
import { connectionType, pageOf, type Connection, type PageArgs } from "../pagination";
import { LIVE_HISTORY_KINDS, LiveChangeEntity } from "./live-change.entity";
import { LiveVersionChange, toLiveChange } from "./live-change.type";

export const LiveVersionChangeConnection = connectionType("LiveVersionChange", LiveVersionChange, "live changes");

/** The same page of live-history entries (moves and pins), newest first by keyset on the workspace sequence, of each of several deployments. */
export function liveHistories(
  db: Database,
  deploymentKeys: number[],
  args: PageArgs,
  count: (deploymentKey: number) => Promise<number>,
): Promise<Array<Connection<LiveVersionChange>>> {
  const page = pageOf(args, "change", isNumberKey);
  const repository = () => db.reader.getRepository(LiveChangeEntity);
  return descendingPages<LiveChangeEntity, LiveVersionChange>(
    {
      of: (deploymentKey) => ({
        query: () =>
          repository()
            .createQueryBuilder("c")
            .where("c.deploymentId = :deploymentKey", { deploymentKey })
            // Settings and lifecycle entries share the log (for subscribers) but are not history.
            .andWhere("c.kind IN (:...kinds)", { kinds: LIVE_HISTORY_KINDS }),
        column: "c.sequence",
        keyOf: (c) => c.sequence,
        cursorKind: "change",
        toNode: toLiveChange,
        Type: LiveVersionChangeConnection,
        count: () => count(deploymentKey),
      }),
      parentOf: (c) => c.deploymentId,
      byIds: (ids) => repository().findBy({ id: In(ids) }),
    },
    deploymentKeys,
    page,
  );
}

/** The number of live-history entries (moves and pins) of each deployment, in one statement. */
export async function liveHistoryCounts(db: Database, deploymentKeys: number[]): Promise<number[]> {
  const rows = await db.reader
    .getRepository(LiveChangeEntity)
    .createQueryBuilder("c")
    .where("c.deploymentId IN (:...deploymentKeys)", { deploymentKeys })
    .andWhere("c.kind IN (:...kinds)", { kinds: LIVE_HISTORY_KINDS })
    .select("c.deploymentId", "parent")
    .addSelect("COUNT(*)", "count")
    .groupBy("c.deploymentId")
    .getRawMany<{ parent: unknown; count: unknown }>();
  const counts = new Map(rows.map((row) => [Number(row.parent), Number(row.count)]));
  return deploymentKeys.map((key) => counts.get(key) ?? 0);
}

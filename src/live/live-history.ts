import type { Database } from "../db/database";
import { descendingPage, isNumberKey } from "../db/keyset";
import { connectionType, pageOf, type Connection, type PageArgs } from "../pagination";
import { LiveChangeEntity, POINTER_MOVES } from "./live-change.entity";
import { LiveVersionChange, toLiveChange } from "./live-change.type";

export const LiveVersionChangeConnection = connectionType("LiveVersionChange", LiveVersionChange);

/** A deployment's live-pointer moves, newest first, by keyset on the workspace sequence. */
export function liveHistory(db: Database, deploymentKey: number, args: PageArgs): Promise<Connection<LiveVersionChange>> {
  const page = pageOf(args, "change", isNumberKey);
  const query = () =>
    db.reader.getRepository(LiveChangeEntity).createQueryBuilder("c").where("c.deploymentId = :deploymentKey", { deploymentKey })
      // Settings and lifecycle entries share the log (for subscribers) but are not moves.
      .andWhere("c.kind IN (:...moves)", { moves: POINTER_MOVES });
  return descendingPage({ query, column: "c.sequence", keyOf: (c) => c.sequence, cursorKind: "change", toNode: toLiveChange, Type: LiveVersionChangeConnection }, page);
}

import { In } from "typeorm";
import type { Database } from "../db/database";
import { descendingPages, isNumberKey } from "../db/keyset";
import { connectionType, pageOf, type Connection, type PageArgs } from "../pagination";
import { LiveChangeEntity } from "./live-change.entity";
import { LiveVersionChange, toLiveChange } from "./live-change.type";

export const LiveVersionChangeConnection = connectionType("LiveVersionChange", LiveVersionChange);

/** The same page of live-pointer moves, newest first by keyset on the workspace sequence, of each of several deployments. */
export function liveHistories(db: Database, deploymentKeys: number[], args: PageArgs): Promise<Array<Connection<LiveVersionChange>>> {
  const page = pageOf(args, "change", isNumberKey);
  const repository = () => db.reader.getRepository(LiveChangeEntity);
  return descendingPages<LiveChangeEntity, LiveVersionChange>({
    of: (deploymentKey) => ({
      query: () => repository().createQueryBuilder("c").where("c.deploymentId = :deploymentKey", { deploymentKey }),
      column: "c.sequence", keyOf: (c) => c.sequence, cursorKind: "change", toNode: toLiveChange, Type: LiveVersionChangeConnection,
    }),
    parentOf: (c) => c.deploymentId,
    byIds: (ids) => repository().findBy({ id: In(ids) }),
  }, deploymentKeys, page);
}

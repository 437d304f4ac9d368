import type { Database } from "../db/database";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { WorkspaceEntity } from "../workspace/workspace.entity";
import { LiveChangeEntity } from "./live-change.entity";
import type { LiveEvent } from "./live-event";
import type { LiveLog } from "./live-hub";

/**
 * The committed live log as the hub and resuming subscribers read it. Subscribers that resume
 * from the same sequence at the same time (a reconnecting fleet, or one client opening many)
 * share one read of each page instead of each taking a connection for it. Every read first waits
 * for the node to have caught up with the cluster (Galera): an event announced through Redis by an
 * instance on another node names a change this node may not have applied yet.
 */
export function liveLogOf(db: Database): LiveLog {
  const reading = new Map<string, Promise<LiveEvent[]>>();
  const after = (workspaceId: number, from: number, limit: number): Promise<LiveEvent[]> => {
    const key = `${workspaceId}:${from}:${limit}`;
    let page = reading.get(key);
    if (!page) {
      page = readAfter(db, workspaceId, from, limit).finally(() => reading.delete(key));
      reading.set(key, page);
    }
    return page;
  };
  return {
    after,
    async lastSequence(workspaceId) {
      await db.cluster.caughtUp();
      const workspace = await db.reader.getRepository(WorkspaceEntity).findOne({ where: { id: workspaceId }, select: { id: true, lastSequence: true } });
      return workspace?.lastSequence ?? 0;
    },
  };
}

async function readAfter(db: Database, workspaceId: number, after: number, limit: number): Promise<LiveEvent[]> {
  await db.cluster.caughtUp();
  const rows = await db.reader
    .getRepository(LiveChangeEntity)
    .createQueryBuilder("c")
    .innerJoin(DeploymentEntity, "d", "d.id = c.deploymentId")
    .addSelect("d.flowName", "flow_name")
    .where("c.workspaceId = :workspaceId AND c.sequence > :after", { workspaceId, after })
    .orderBy("c.sequence", "ASC")
    .limit(limit)
    .getRawAndEntities();
  return rows.entities.map((change, i): LiveEvent => ({
    changeId: change.id,
    workspaceId: change.workspaceId,
    sequence: change.sequence,
    deploymentId: change.deploymentId,
    flowName: String((rows.raw[i] as { flow_name: string }).flow_name),
    kind: change.kind,
    previousVersionId: change.previousVersionId,
    liveVersionId: change.liveVersionId,
    actor: change.actor,
    reason: change.reason,
    at: change.at.toISOString(),
    details: change.details,
  }));
}

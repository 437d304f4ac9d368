import { In, type SelectQueryBuilder } from "typeorm";
import type { Database } from "../db/database";
import { descendingPages, isNumberKey } from "../db/keyset";
import { connectionType, pageOf, type BidirectionalPageArgs, type Connection } from "../pagination";
import { VersionEntity } from "./version.entity";
import type { VersionFilter } from "./version.input";
import { DeploymentVersion, toVersion } from "./version.type";

export const DeploymentVersionConnection = connectionType("DeploymentVersion", DeploymentVersion, "versions");

function filtered(qb: SelectQueryBuilder<VersionEntity>, filter: VersionFilter | null | undefined): SelectQueryBuilder<VersionEntity> {
  if (filter?.branch != null) qb.andWhere("v.sourceBranch = :branch", { branch: filter.branch });
  if (filter?.version != null) qb.andWhere("v.version = :version", { version: filter.version });
  // Stored SHAs are lower case, and hex has no LIKE wildcards to escape.
  if (filter?.commitSha != null) qb.andWhere("v.sourceCommitSha LIKE :sha", { sha: `${filter.commitSha.toLowerCase()}%` });
  return qb;
}

/**
 * The same page of versions, newest first by keyset on number, of each of several deployments
 * (loaders.ts batches the deployments of one request); `count` gives a deployment's totalCount.
 */
export function versionHistories(
  db: Database,
  deploymentKeys: number[],
  args: BidirectionalPageArgs,
  filter: VersionFilter | null | undefined,
  count: (deploymentKey: number) => Promise<number>,
): Promise<Array<Connection<DeploymentVersion>>> {
  const page = pageOf(args, "version", isNumberKey);
  const repository = () => db.reader.getRepository(VersionEntity);
  return descendingPages<VersionEntity, DeploymentVersion>(
    {
      of: (deploymentKey) => ({
        query: () => filtered(repository().createQueryBuilder("v").where("v.deploymentId = :deploymentKey", { deploymentKey }), filter),
        column: "v.number",
        keyOf: (v) => v.number,
        cursorKind: "version",
        toNode: toVersion,
        Type: DeploymentVersionConnection,
        count: () => count(deploymentKey),
      }),
      parentOf: (v) => v.deploymentId,
      byIds: (ids) => repository().findBy({ id: In(ids) }),
    },
    deploymentKeys,
    page,
  );
}

/** The number of versions matching `filter` of each deployment, in one statement. */
export async function versionCounts(db: Database, deploymentKeys: number[], filter: VersionFilter | null | undefined): Promise<number[]> {
  const qb = db.reader.getRepository(VersionEntity).createQueryBuilder("v").where("v.deploymentId IN (:...deploymentKeys)", { deploymentKeys });
  const rows = await filtered(qb, filter)
    .select("v.deploymentId", "parent")
    .addSelect("COUNT(*)", "count")
    .groupBy("v.deploymentId")
    .getRawMany<{ parent: unknown; count: unknown }>();
  const counts = new Map(rows.map((row) => [Number(row.parent), Number(row.count)]));
  return deploymentKeys.map((key) => counts.get(key) ?? 0);
}

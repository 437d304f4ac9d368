import type { Database } from "../db/database";
import { descendingPage, isNumberKey } from "../db/keyset";
import { connectionType, pageOf, type BidirectionalPageArgs, type Connection } from "../pagination";
import { VersionEntity } from "./version.entity";
import type { VersionFilter } from "./version.input";
import { DeploymentVersion, toVersion } from "./version.type";

export const DeploymentVersionConnection = connectionType("DeploymentVersion", DeploymentVersion);

/** A deployment's versions, newest first, by keyset on number. */
export function versionHistory(
  db: Database,
  deploymentKey: number,
  args: BidirectionalPageArgs,
  filter: VersionFilter | null | undefined,
): Promise<Connection<DeploymentVersion>> {
  const page = pageOf(args, "version", isNumberKey);
  const query = () => {
    const qb = db.reader.getRepository(VersionEntity).createQueryBuilder("v").where("v.deploymentId = :deploymentKey", { deploymentKey });
    if (filter?.branch != null) qb.andWhere("v.sourceBranch = :branch", { branch: filter.branch });
    if (filter?.version != null) qb.andWhere("v.version = :version", { version: filter.version });
    // Stored SHAs are lower case, and hex has no LIKE wildcards to escape.
    if (filter?.commitSha != null) qb.andWhere("v.sourceCommitSha LIKE :sha", { sha: `${filter.commitSha.toLowerCase()}%` });
    return qb;
  };
  return descendingPage({ query, column: "v.number", keyOf: (v) => v.number, cursorKind: "version", toNode: toVersion, Type: DeploymentVersionConnection }, page);
}

import DataLoader from "dataloader";
import { In, IsNull } from "typeorm";
import type { Database } from "./db/database";
import { DeploymentEntity } from "./deployment/deployment.entity";
import { VersionEntity } from "./version/version.entity";
import { versionCacheOf } from "./version/version-cache";

export interface Loaders {
  deployment: DataLoader<number, DeploymentEntity | null>;
  version: DataLoader<number, VersionEntity | null>;
}

function byId<T extends { id: number }>(rows: T[], keys: readonly number[]): Array<T | null> {
  const found = new Map(rows.map((row) => [row.id, row]));
  return keys.map((key) => found.get(key) ?? null);
}

/**
 * Per-request batch loaders, confined to one workspace: a key of another workspace loads as
 * null, exactly like a key that does not exist. Each is made when first used: a subscription's
 * context lives as long as the subscription, and most never execute an event themselves
 * (shared-subscribe.ts), so idle subscribers do not each carry two loaders.
 */
export function createLoaders(db: Database, workspaceId: number): Loaders {
  let deployment: Loaders["deployment"] | undefined;
  let version: Loaders["version"] | undefined;
  return {
    get deployment() {
      return (deployment ??= deploymentLoader(db, workspaceId));
    },
    get version() {
      return (version ??= versionLoader(db, workspaceId));
    },
  };
}

function deploymentLoader(db: Database, workspaceId: number): Loaders["deployment"] {
  return new DataLoader(async (keys) => byId(await db.reader.getRepository(DeploymentEntity).findBy({ id: In([...keys]), workspaceId, deletedAt: IsNull() }), keys));
}

function versionLoader(db: Database, workspaceId: number): Loaders["version"] {
  return new DataLoader(async (keys) => {
      // Versions are immutable: only those this process has not read yet go to the store.
      const known = versionCacheOf(db);
      const missing = keys.filter((key) => known.get(key, workspaceId) === undefined);
      if (missing.length > 0) {
        const rows = await db.reader.getRepository(VersionEntity).createQueryBuilder("v")
          .innerJoin(DeploymentEntity, "d", "d.id = v.deploymentId AND d.workspaceId = :workspaceId", { workspaceId })
          .where("v.id IN (:...keys)", { keys: missing })
          .getMany();
        for (const row of rows) known.set(row, workspaceId);
      }
      return keys.map((key) => known.get(key, workspaceId) ?? null);
  });
}

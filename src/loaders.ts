import DataLoader from "dataloader";
import { In, IsNull } from "typeorm";
import type { Database } from "./db/database";
import { DeploymentEntity } from "./deployment/deployment.entity";
import { VersionEntity } from "./version/version.entity";
import type { VersionCache } from "./version/version-cache";
import { versionCounts, versionHistories } from "./version/version-history";
import type { DeploymentVersion } from "./version/version.type";
import type { VersionFilter } from "./version/version.input";
import { liveHistories, liveHistoryCounts } from "./live/live-history";
import type { LiveVersionChange } from "./live/live-change.type";
import type { BidirectionalPageArgs, Connection, PageArgs } from "./pagination";

/** One parent's page of a list, with the page arguments and filter as the client gave them. */
export interface PageRequest<A, F = null> {
  parent: number;
  args: A;
  filter?: F | null;
}

export interface Loaders {
  deployment: DataLoader<number, DeploymentEntity | null>;
  version: DataLoader<number, VersionEntity | null>;
  /** A deployment's page of versions; the same page of many deployments is one read. */
  versionPage: DataLoader<PageRequest<BidirectionalPageArgs, VersionFilter>, Connection<DeploymentVersion>>;
  versionCount: DataLoader<PageRequest<null, VersionFilter>, number>;
  liveHistoryPage: DataLoader<PageRequest<PageArgs>, Connection<LiveVersionChange>>;
  liveHistoryCount: DataLoader<PageRequest<null>, number>;
  /** Forgets every cached row (a subscription starts each event afresh). */
  clearAll(): void;
}

/**
 * The row, unless its deployment was deleted: a deleted deployment's versions and changes stay
 * only as tombstones that keep the live log gapless, and are no more readable by id than it is
 * (an instance may even still hold a version's body in memory).
 */
export async function ofLiveDeployment<R extends { deploymentId: number }>(loaders: Loaders, row: R | null | undefined): Promise<R | null> {
  return row && (await loaders.deployment.load(row.deploymentId)) ? row : null;
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
export function createLoaders(db: Database, workspaceId: number, versions: VersionCache): Loaders {
  let deployment: Loaders["deployment"] | undefined;
  let version: Loaders["version"] | undefined;
  let versionPage: Loaders["versionPage"] | undefined;
  let versionCount: Loaders["versionCount"] | undefined;
  let liveHistoryPage: Loaders["liveHistoryPage"] | undefined;
  let liveHistoryCount: Loaders["liveHistoryCount"] | undefined;
  const loaders: Loaders = {
    get deployment() {
      return (deployment ??= deploymentLoader(db, workspaceId));
    },
    get version() {
      return (version ??= versionLoader(db, workspaceId, versions));
    },
    get versionPage() {
      return (versionPage ??= perParent((parents, args, filter) =>
        versionHistories(db, parents, args, filter, (parent) => loaders.versionCount.load({ parent, args: null, filter })),
      ));
    },
    get versionCount() {
      return (versionCount ??= perParent((parents, _args, filter) => versionCounts(db, parents, filter)));
    },
    get liveHistoryPage() {
      return (liveHistoryPage ??= perParent((parents, args) =>
        liveHistories(db, parents, args, (parent) => loaders.liveHistoryCount.load({ parent, args: null })),
      ));
    },
    get liveHistoryCount() {
      return (liveHistoryCount ??= perParent((parents) => liveHistoryCounts(db, parents)));
    },
    clearAll() {
      deployment?.clearAll();
      version?.clearAll();
    },
  };
  return loaders;
}

/**
 * Batches per-parent lookups of a list: requests made in the same tick with the same page
 * arguments and filter become one read for all their parents, and identical requests one
 * answer. Nothing is kept past the batch (lists change with every write; rows do not).
 * The parents are the request's own, already confined to its workspace.
 */
function perParent<A, F, V>(load: (parents: number[], args: A, filter: F | null | undefined) => Promise<V[]>): DataLoader<PageRequest<A, F>, V> {
  return new DataLoader<PageRequest<A, F>, V>(
    async (requests) => {
      const groups = new Map<string, { args: A; filter: F | null | undefined; parents: number[]; answers: Map<number, V | Error> }>();
      const keyOf = (r: PageRequest<A, F>) => JSON.stringify([r.args, r.filter ?? null]);
      for (const request of requests) {
        const key = keyOf(request);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { args: request.args, filter: request.filter, parents: [], answers: new Map() }));
        if (!group.parents.includes(request.parent)) group.parents.push(request.parent);
      }
      await Promise.all(
        [...groups.values()].map(async (group) => {
          try {
            const values = await load(group.parents, group.args, group.filter);
            group.parents.forEach((parent, i) => group.answers.set(parent, values[i]!));
          } catch (error) {
            for (const parent of group.parents) group.answers.set(parent, error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
      return requests.map((request) => groups.get(keyOf(request))!.answers.get(request.parent)!);
    },
    { cache: false },
  );
}

function deploymentLoader(db: Database, workspaceId: number): Loaders["deployment"] {
  return new DataLoader(async (keys) =>
    byId(await db.reader.getRepository(DeploymentEntity).findBy({ id: In([...keys]), workspaceId, deletedAt: IsNull() }), keys),
  );
}

function versionLoader(db: Database, workspaceId: number, known: VersionCache): Loaders["version"] {
  return new DataLoader(async (keys) => {
    // Versions are immutable: only those this process has not read yet go to the store.
    const missing = keys.filter((key) => known.get(key, workspaceId) === undefined);
    if (missing.length > 0) {
      const rows = await db.reader
        .getRepository(VersionEntity)
        .createQueryBuilder("v")
        .innerJoin(DeploymentEntity, "d", "d.id = v.deploymentId AND d.workspaceId = :workspaceId", { workspaceId })
        .where("v.id IN (:...keys)", { keys: missing })
        .getMany();
      for (const row of rows) known.set(row, workspaceId);
    }
    return keys.map((key) => known.get(key, workspaceId) ?? null);
  });
}

import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { Deployment } from "../deployment/deployment.type";

/**
 * What the caller could do to a deployment right now, so a UI shows only the buttons that will
 * work: the key's scope, a deployment that takes moves (not archived, not pinned) AND a version to
 * move to. Numbers are gapless (1…versionCount), so an older version exists whenever the live one
 * is not number 1, a newer one whenever it is not the newest. A move can still fail if another
 * caller moves the pointer first, or when every older version is flagged BAD (a default rollback
 * skips those).
 */
@Resolver(() => Deployment)
export class ViewerCanResolver {
  @FieldResolver(() => Boolean, {
    description:
      "True when the caller may roll back (release scope), the deployment takes moves (neither archived nor pinned: a pinned one needs unpin: true) and an older version than the live one exists.",
  })
  async viewerCanRollback(@Root() deployment: Deployment, @Ctx() ctx: RequestContext): Promise<boolean> {
    const live = await movableLiveNumber(deployment, ctx);
    return live !== null && live > 1;
  }

  @FieldResolver(() => Boolean, {
    description:
      "True when the caller may promote (release scope), the deployment takes moves (neither archived nor pinned: a pinned one needs unpin: true) and a newer version than the live one exists.",
  })
  async viewerCanPromote(@Root() deployment: Deployment, @Ctx() ctx: RequestContext): Promise<boolean> {
    const live = await movableLiveNumber(deployment, ctx);
    return live !== null && live < deployment.versionCount;
  }
}

/** The live version's number when the caller may move this deployment's pointer at all; else null. */
async function movableLiveNumber(deployment: Deployment, ctx: RequestContext): Promise<number | null> {
  if (ctx.principal?.scopes.has(KeyScope.RELEASE) !== true || deployment.liveVersionKey === null) return null;
  // The row as it is now (loaded once per request): the view may predate an archive or a pin.
  const row = await ctx.loaders.deployment.load(deployment.key);
  if (!row || row.archivedAt != null || row.pinnedAt != null) return null;
  return (await ctx.loaders.version.load(deployment.liveVersionKey))?.number ?? null;
}

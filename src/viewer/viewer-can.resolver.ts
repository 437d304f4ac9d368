import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { Deployment } from "../deployment/deployment.type";

/**
 * What the caller could do to a deployment right now, so a UI shows only the buttons that will
 * work: the key's scope AND a version to move to. Numbers are gapless (1…versionCount), so an
 * older version exists whenever the live one is not number 1, a newer one whenever it is not
 * the newest. A move can still fail if another caller moves the pointer first.
 */
@Resolver(() => Deployment)
export class ViewerCanResolver {
  @FieldResolver(() => Boolean, { description: "True when the caller may roll back (release scope) and an older version than the live one exists." })
  async viewerCanRollback(@Root() deployment: Deployment, @Ctx() ctx: RequestContext): Promise<boolean> {
    const live = await liveNumber(deployment, ctx);
    return mayRelease(ctx) && live !== null && live > 1;
  }

  @FieldResolver(() => Boolean, { description: "True when the caller may promote (release scope) and a newer version than the live one exists." })
  async viewerCanPromote(@Root() deployment: Deployment, @Ctx() ctx: RequestContext): Promise<boolean> {
    const live = await liveNumber(deployment, ctx);
    return mayRelease(ctx) && live !== null && live < deployment.versionCount;
  }
}

const mayRelease = (ctx: RequestContext) => ctx.principal?.scopes.has(KeyScope.RELEASE) === true;

async function liveNumber(deployment: Deployment, ctx: RequestContext): Promise<number | null> {
  if (deployment.liveVersionKey === null) return null;
  return (await ctx.loaders.version.load(deployment.liveVersionKey))?.number ?? null;
}

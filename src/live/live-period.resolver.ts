import { Args, Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { Deployment } from "../deployment/deployment.type";
import { BidirectionalPageArgs, type Connection } from "../pagination";
import type { Services } from "../services";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { LivePeriod, LivePeriodConnection, liveAt, livePeriods } from "./live-periods";

/** The deployment's live history as points in time and as periods. */
@Resolver(() => Deployment)
export class LiveAtResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => DeploymentVersion, { nullable: true, description: "The version that was live at this instant; null before the first version." })
  async liveAt(
    @Root() deployment: Deployment,
    @Arg("time", () => Date, { description: "The instant to look at." }) time: Date,
    @Ctx() ctx: RequestContext,
  ): Promise<DeploymentVersion | null> {
    const key = await liveAt(this.services.db, deployment.key, time);
    const row = key === null ? null : await ctx.loaders.version.load(key);
    return row && toVersion(row);
  }

  @FieldResolver(() => LivePeriodConnection, { description: "Each span during which one version was live, newest first." })
  livePeriods(@Root() deployment: Deployment, @Args(() => BidirectionalPageArgs) args: BidirectionalPageArgs): Promise<Connection<LivePeriod>> {
    return livePeriods(this.services.db, deployment.key, args);
  }
}

@Resolver(() => LivePeriod)
export class LivePeriodResolver {
  @FieldResolver(() => DeploymentVersion, { description: "The version that was live." })
  async version(@Root() period: LivePeriod, @Ctx() ctx: RequestContext): Promise<DeploymentVersion> {
    const row = await ctx.loaders.version.load(period.versionKey);
    if (!row) throw new Error(`version ${period.versionKey} is missing`);
    return toVersion(row);
  }
}

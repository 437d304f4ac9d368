import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { decodeId } from "../ids";
import { BidirectionalPageArgs, type Connection } from "../pagination";
import type { Services } from "../services";
import { LiveVersionChangeConnection } from "../live/live-history";
import type { LiveVersionChange } from "../live/live-change.type";
import { DeploymentVersionConnection } from "../version/version-history";
import { VersionFilter } from "../version/version.input";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { DeploymentConnection } from "./deployment.service";
import { DeploymentFilter, UpdateDeploymentSettingsInput } from "./deployment.input";
import { Deployment, toDeployment, UpdateDeploymentSettingsPayload } from "./deployment.type";

@Resolver(() => Deployment)
export class DeploymentResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.READ)
  @Query(() => Deployment, { nullable: true, description: "Null when no deployment has this id." })
  async deployment(@Arg("id", () => ID, { description: "A deployment id (dep_…)." }) id: string, @Ctx() ctx: RequestContext): Promise<Deployment | null> {
    const key = decodeId("deployment", id);
    const row = key === null ? null : await ctx.loaders.deployment.load(key);
    return row && toDeployment(row);
  }

  @Authorized(KeyScope.READ)
  @Query(() => Deployment, { nullable: true, description: "A deployment by its flow name and name; null when there is none." })
  async deploymentByName(
    @Arg("flowName", () => String, { description: "Exact flow name." }) flowName: string,
    @Arg("name", () => String, { description: "Exact deployment name." }) name: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Deployment | null> {
    const row = await this.services.deployments.byName(ctx.caller, flowName, name);
    return row && toDeployment(row);
  }

  @Authorized(KeyScope.READ)
  @Query(() => DeploymentConnection, { description: "Ordered by flow name, then name." })
  deployments(
    @Args(() => BidirectionalPageArgs) args: BidirectionalPageArgs,
    @Arg("filter", () => DeploymentFilter, { nullable: true, description: "Only the deployments that match." }) filter: DeploymentFilter | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Deployment>> {
    return this.services.deployments.list(ctx.caller, args, filter);
  }

  /** Every deployment is created with its first version, in the same transaction, so one is always live. */
  @FieldResolver(() => DeploymentVersion, { description: "The version that runs." })
  async liveVersion(@Root() deployment: Deployment, @Ctx() ctx: RequestContext): Promise<DeploymentVersion> {
    return toVersion((await ctx.loaders.version.load(deployment.liveVersionKey!))!);
  }

  @FieldResolver(() => DeploymentVersionConnection, { description: "Newest first." })
  versions(
    @Root() deployment: Deployment,
    @Args(() => BidirectionalPageArgs) args: BidirectionalPageArgs,
    @Arg("filter", () => VersionFilter, { nullable: true, description: "Only the versions that match." }) filter: VersionFilter | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<DeploymentVersion>> {
    return ctx.loaders.versionPage.load({ parent: deployment.key, args, filter });
  }

  @FieldResolver(() => LiveVersionChangeConnection, { description: "Moves of the live pointer, newest first." })
  liveHistory(
    @Root() deployment: Deployment,
    @Args(() => BidirectionalPageArgs) args: BidirectionalPageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<LiveVersionChange>> {
    return ctx.loaders.liveHistoryPage.load({ parent: deployment.key, args });
  }

  @Authorized(KeyScope.DEPLOY)
  @Mutation(() => UpdateDeploymentSettingsPayload, { description: "Changes non-versioned settings; creates no version." })
  async updateDeploymentSettings(
    @Arg("input", () => UpdateDeploymentSettingsInput, { description: "The deployment and the settings to change." }) input: UpdateDeploymentSettingsInput,
    @Ctx() ctx: RequestContext,
  ): Promise<UpdateDeploymentSettingsPayload> {
    const row = await this.services.deployments.updateSettings(ctx.caller, input);
    ctx.loaders.deployment.clear(row.id).prime(row.id, row);
    return { deployment: toDeployment(row) };
  }
}

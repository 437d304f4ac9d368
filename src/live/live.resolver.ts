import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import type { Services } from "../services";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { Deployment, toDeployment } from "../deployment/deployment.type";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { LiveVersionChange, toLiveChange } from "./live-change.type";
import { PromoteInput, RollbackInput } from "./live.input";

@Resolver(() => LiveVersionChange)
export class LiveResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.release)
  @Mutation(() => LiveVersionChange, { description: "Makes an older version live (with dryRun: answers what it would do, changing nothing)." })
  async rollback(@Arg("input", () => RollbackInput) input: RollbackInput, @Ctx() ctx: RequestContext): Promise<LiveVersionChange> {
    const change = await this.services.live.rollback(ctx.caller, input);
    ctx.loaders.deployment.clear(change.deploymentId);
    return toLiveChange(change);
  }

  @Authorized(KeyScope.release)
  @Mutation(() => LiveVersionChange, { description: "Makes a newer version live (with dryRun: answers what it would do, changing nothing)." })
  async promote(@Arg("input", () => PromoteInput) input: PromoteInput, @Ctx() ctx: RequestContext): Promise<LiveVersionChange> {
    const change = await this.services.live.promote(ctx.caller, input);
    ctx.loaders.deployment.clear(change.deploymentId);
    return toLiveChange(change);
  }

  @FieldResolver(() => Deployment)
  async deployment(@Root() change: LiveVersionChange, @Ctx() ctx: RequestContext): Promise<Deployment> {
    const row = await ctx.loaders.deployment.load(change.deploymentKey);
    // A deleted deployment's changes (its DELETED event, a replay) still name it as it was.
    return toDeployment(
      row ?? (await this.services.db.reader.getRepository(DeploymentEntity).findOneByOrFail({ id: change.deploymentKey, workspaceId: change.workspaceKey })),
    );
  }

  @FieldResolver(() => DeploymentVersion, { nullable: true, description: "Null for a deployment's first version." })
  async previousVersion(@Root() change: LiveVersionChange, @Ctx() ctx: RequestContext): Promise<DeploymentVersion | null> {
    const row = change.previousVersionKey === null ? null : await ctx.loaders.version.load(change.previousVersionKey);
    return row && toVersion(row);
  }

  @FieldResolver(() => DeploymentVersion)
  async liveVersion(@Root() change: LiveVersionChange, @Ctx() ctx: RequestContext): Promise<DeploymentVersion> {
    return toVersion((await ctx.loaders.version.load(change.liveVersionKey))!);
  }
}

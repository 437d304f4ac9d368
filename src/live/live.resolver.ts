import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import type { Services } from "../services";
import { DeploymentEntity } from "../deployment/deployment.entity";
import { Deployment, toDeployment } from "../deployment/deployment.type";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { LiveVersionChange, toLiveChange } from "./live-change.type";
import type { Moved } from "./live.service";
import { PromoteInput, RollbackInput } from "./live.input";
import { PromotePayload, RollbackPayload } from "./live.payload";

@Resolver(() => LiveVersionChange)
export class LiveResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.RELEASE)
  @Mutation(() => RollbackPayload, { description: "Makes an older version live (with dryRun: answers what it would do, changing nothing)." })
  async rollback(
    @Arg("input", () => RollbackInput, { description: "The deployment and, optionally, the target version." }) input: RollbackInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RollbackPayload> {
    return this.moved(await this.services.live.rollback(ctx.caller, input), ctx);
  }

  @Authorized(KeyScope.RELEASE)
  @Mutation(() => PromotePayload, { description: "Makes a newer version live (with dryRun: answers what it would do, changing nothing)." })
  async promote(
    @Arg("input", () => PromoteInput, { description: "The deployment and, optionally, the target version." }) input: PromoteInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PromotePayload> {
    return this.moved(await this.services.live.promote(ctx.caller, input), ctx);
  }

  /**
   * The deployment as the move left it (read afresh after a replay or a dry run), so a client's
   * cache sees the new live version at once.
   */
  private async moved({ change, deployment }: Moved, ctx: RequestContext): Promise<RollbackPayload> {
    ctx.loaders.deployment.clear(change.deploymentId);
    if (deployment) ctx.loaders.deployment.prime(deployment.id, deployment);
    const row = await ctx.loaders.deployment.load(change.deploymentId);
    return { change: toLiveChange(change), deployment: toDeployment(row!) };
  }

  @FieldResolver(() => Deployment, { description: "The deployment whose live pointer moved." })
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

  @FieldResolver(() => DeploymentVersion, { description: "The version made live by this move." })
  async liveVersion(@Root() change: LiveVersionChange, @Ctx() ctx: RequestContext): Promise<DeploymentVersion> {
    return toVersion((await ctx.loaders.version.load(change.liveVersionKey))!);
  }
}

import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { Deployment, toDeployment } from "../deployment/deployment.type";
import type { Services } from "../services";
import { DeploymentRetention, SetDeploymentRetentionInput, SetDeploymentRetentionPayload } from "./retention.input";

@Resolver(() => Deployment)
export class RetentionResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => DeploymentRetention, { nullable: true, description: "How long its versions' bodies are kept; null keeps everything." })
  async retention(@Root() deployment: Deployment, @Ctx() ctx: RequestContext): Promise<DeploymentRetention | null> {
    const row = await ctx.loaders.deployment.load(deployment.key);
    if (!row || (row.retentionKeepLast == null && row.retentionKeepDays == null)) return null;
    return { keepLast: row.retentionKeepLast, keepDays: row.retentionKeepDays };
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => SetDeploymentRetentionPayload, {
    description: "Sets how long a deployment keeps its versions' bodies; the retention pass applies it. Needs admin.",
  })
  async setDeploymentRetention(
    @Arg("input", () => SetDeploymentRetentionInput, { description: "The deployment and its limits." }) input: SetDeploymentRetentionInput,
    @Ctx() ctx: RequestContext,
  ): Promise<SetDeploymentRetentionPayload> {
    const row = await this.services.deployments.setRetention(ctx.caller, input);
    ctx.loaders.deployment.clear(row.id).prime(row.id, row);
    return { deployment: toDeployment(row) };
  }
}

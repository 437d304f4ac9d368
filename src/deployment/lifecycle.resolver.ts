import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { encodeId } from "../ids";
import type { Services } from "../services";
import { toDeployment } from "./deployment.type";
import {
  ArchiveDeploymentPayload,
  DeleteDeploymentInput,
  DeleteDeploymentPayload,
  DeploymentLifecycleInput,
  RestoreDeploymentPayload,
} from "./lifecycle.input";

@Resolver()
export class LifecycleResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => ArchiveDeploymentPayload, {
    description: "Hides a deployment from lists and refuses new versions and moves (DEPLOYMENT_ARCHIVED); every version stays readable. Needs admin.",
  })
  async archiveDeployment(
    @Arg("input", () => DeploymentLifecycleInput, { description: "The deployment." }) input: DeploymentLifecycleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ArchiveDeploymentPayload> {
    const row = await this.services.lifecycle.archive(ctx.caller, input.deploymentId, input.reason ?? null);
    ctx.loaders.deployment.clear(row.id).prime(row.id, row);
    return { deployment: toDeployment(row) };
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => RestoreDeploymentPayload, { description: "Undoes archiveDeployment. Needs admin." })
  async restoreDeployment(
    @Arg("input", () => DeploymentLifecycleInput, { description: "The deployment." }) input: DeploymentLifecycleInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RestoreDeploymentPayload> {
    const row = await this.services.lifecycle.restore(ctx.caller, input.deploymentId, input.reason ?? null);
    ctx.loaders.deployment.clear(row.id).prime(row.id, row);
    return { deployment: toDeployment(row) };
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => DeleteDeploymentPayload, {
    description: "Deletes a deployment and its versions for good; the audit log keeps an entry and its name can be used again. Needs admin.",
  })
  async deleteDeployment(
    @Arg("input", () => DeleteDeploymentInput, { description: "The deployment and its flow/name." }) input: DeleteDeploymentInput,
    @Ctx() ctx: RequestContext,
  ): Promise<DeleteDeploymentPayload> {
    const row = await this.services.lifecycle.delete(ctx.caller, input.deploymentId, input.confirmName, input.reason ?? null);
    ctx.loaders.deployment.clear(row.id);
    return { deletedDeploymentId: encodeId("deployment", row.id), flowName: row.flowName, name: row.name };
  }
}

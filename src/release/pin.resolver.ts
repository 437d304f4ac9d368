import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { Deployment, toDeployment } from "../deployment/deployment.type";
import { toLiveChange } from "../live/live-change.type";
import type { Services } from "../services";
import type { PinOutcome } from "./pin.service";
import { DeploymentPin, PinLiveInput, PinPayload, UnpinLiveInput } from "./pin.types";

@Resolver(() => Deployment)
export class PinResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.RELEASE)
  @Mutation(() => PinPayload, {
    description: "Pins the live version: new versions are recorded but not made live, and moves need unpin: true, until unpinLive.",
  })
  async pinLive(
    @Arg("input", () => PinLiveInput, { description: "The deployment to pin and why." }) input: PinLiveInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PinPayload> {
    return payloadOf(await this.services.pins.pin(ctx.caller, input), ctx);
  }

  @Authorized(KeyScope.RELEASE)
  @Mutation(() => PinPayload, { description: "Lifts the pin; the live version does not change." })
  async unpinLive(
    @Arg("input", () => UnpinLiveInput, { description: "The deployment to unpin and why." }) input: UnpinLiveInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PinPayload> {
    return payloadOf(await this.services.pins.unpin(ctx.caller, input), ctx);
  }

  @FieldResolver(() => DeploymentPin, { nullable: true, description: "Set while the live version is pinned; null otherwise." })
  async pin(@Root() deployment: Deployment, @Ctx() ctx: RequestContext): Promise<DeploymentPin | null> {
    const row = await ctx.loaders.deployment.load(deployment.key);
    if (!row?.pinnedAt) return null;
    return { by: row.pinnedBy ?? "", at: row.pinnedAt, reason: row.pinReason };
  }
}

function payloadOf({ deployment, change }: PinOutcome, ctx: RequestContext): PinPayload {
  ctx.loaders.deployment.clear(deployment.id).prime(deployment.id, deployment);
  return { deployment: toDeployment(deployment), change: change && toLiveChange(change) };
}

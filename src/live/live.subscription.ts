import { Arg, Ctx, ID, Int, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import type { RequestContext } from "../context";
import { requireScopes } from "../auth/require-scopes";
import { KeyScope } from "../auth/scopes";
import type { LiveEvent } from "./live-event";
import { LiveVersionChange, toLiveChange } from "./live-change.type";
import type { LiveFilter } from "./live-subscriptions";

@Resolver(() => LiveVersionChange)
export class LiveSubscriptionResolver {
  @Subscription(() => LiveVersionChange, {
    description:
      "Every change of a live version the caller may read, in sequence order. deploymentId and flowName narrow it " +
      "(both given: both must match). afterSequence first replays the log after that sequence, then streams.",
    subscribe: ({ args, context }: SubscribeResolverData<LiveEvent, LiveFilter, RequestContext>) => {
      // @Authorized guards `resolve`, which runs per event; the stream itself is guarded here.
      requireScopes(context, [KeyScope.read]);
      return context.subscriptions.open(context.caller, args);
    },
  })
  liveVersionChanged(
    @Root() event: LiveEvent,
    @Ctx() ctx: RequestContext,
    @Arg("deploymentId", () => ID, { nullable: true }) _deploymentId?: string,
    @Arg("flowName", () => String, { nullable: true }) _flowName?: string,
    @Arg("afterSequence", () => Int, { nullable: true }) _afterSequence?: number,
  ): LiveVersionChange {
    // A subscription's context lives as long as the subscription: start each event with empty
    // caches, so a deployment's live version is never served from an earlier event.
    ctx.loaders.clearAll();
    return toLiveChange(event);
  }
}

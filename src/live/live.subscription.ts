import { Arg, Authorized, Ctx, ID, Int, Query, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import type { RequestContext } from "../context";
import { requireScopes } from "../auth/require-scopes";
import { KeyScope } from "../auth/scopes";
import { badInput } from "../errors";
import type { LiveEvent } from "./live-event";
import { LiveVersionChange, toLiveChange } from "./live-change.type";
import type { LiveFilter } from "./live-subscriptions";

/**
 * Where a subscription resumes: its own `afterSequence`, else the connection's (connection_init
 * payload), else nowhere (from now on). Only the subscription's argument is typed by GraphQL, so
 * the connection's is checked here.
 */
function resumePoint(args: LiveFilter, context: RequestContext): number | null | undefined {
  if (args.afterSequence != null) return args.afterSequence;
  const fromConnection = context.connectionAfterSequence;
  if (fromConnection == null) return args.afterSequence;
  if (typeof fromConnection !== "number" || !Number.isSafeInteger(fromConnection) || fromConnection < 0) {
    throw badInput(`afterSequence in the connection_init payload must be an integer, 0 or more, got ${JSON.stringify(fromConnection).slice(0, 40)}`);
  }
  return fromConnection;
}

@Resolver(() => LiveVersionChange)
export class LiveSubscriptionResolver {
  @Subscription(() => LiveVersionChange, {
    description:
      "Every change of a live version the caller may read, in sequence order. deploymentId and flowName narrow it " +
      "(both given: both must match). afterSequence first replays the log after that sequence, then streams; without it, " +
      "the afterSequence of the graphql-ws connection_init payload is used, so that a client that re-sends its subscription " +
      "on reconnect resumes where it stopped (see the README, Frontend).",
    subscribe: ({ args, context }: SubscribeResolverData<LiveEvent, LiveFilter, RequestContext>) => {
      // @Authorized guards `resolve`, which runs per event; the stream itself is guarded here.
      requireScopes(context, [KeyScope.READ]);
      return context.subscriptions.open(context.caller, { ...args, afterSequence: resumePoint(args, context) });
    },
  })
  liveVersionChanged(
    @Root() event: LiveEvent,
    @Ctx() ctx: RequestContext,
    @Arg("deploymentId", () => ID, { nullable: true, description: "Only this deployment's changes." }) _deploymentId?: string,
    @Arg("flowName", () => String, { nullable: true, description: "Only changes of deployments of this flow." }) _flowName?: string,
    @Arg("afterSequence", () => Int, {
      nullable: true,
      description: "Replay the log after this sequence first (0: all of it); resume with the last sequence seen.",
    })
    _afterSequence?: number,
  ): LiveVersionChange {
    // A subscription's context lives as long as the subscription: start each event with empty
    // caches, so a deployment's live version is never served from an earlier event.
    ctx.loaders.clearAll();
    return toLiveChange(event);
  }

  @Authorized(KeyScope.READ)
  @Query(() => Int, {
    description:
      "The sequence of the workspace's newest live change, 0 before the first. Read it before (or with) the data a view " +
      "shows, then subscribe with afterSequence set to it: every change from then on arrives, none twice.",
  })
  lastLiveSequence(@Ctx() ctx: RequestContext): Promise<number> {
    return ctx.subscriptions.lastSequence(ctx.caller);
  }
}

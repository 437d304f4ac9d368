import type { Caller } from "../auth/caller";
import type { LiveEvent } from "./live-event";

/** What a subscriber asks for; every field narrows the stream. */
export interface LiveFilter {
  deploymentId?: string | null;
  flowName?: string | null;
  afterSequence?: number | null;
}

/**
 * What the request context offers the subscription's subscribe step: a stream of the caller's
 * live changes. The context depends on this port, not on the class behind it (LiveSubscriptions).
 */
export interface LiveSubscriptionPort {
  open(caller: Caller, filter: LiveFilter): Promise<AsyncIterable<LiveEvent>>;
  /** The sequence of the workspace's newest live change, 0 before the first: where a subscriber starts "from now". */
  lastSequence(caller: Caller): Promise<number>;
}

import type { Loaders } from "./loaders";
import type { Caller } from "./auth/caller";
import type { Principal } from "./auth/principal";
import type { WaymarkError } from "./errors";
import type { LiveSubscriptionPort } from "./live/live-port";
import type { StatementBudget } from "./db/read-gate";

/** The per-request GraphQL context. */
export interface RequestContext {
  /** The authenticated caller; null when authentication failed (see authFailure). */
  principal: Principal | null;
  authFailure: WaymarkError | null;
  /** The caller as services see it (workspace -1, matching nothing, when unauthenticated). */
  caller: Caller;
  loaders: Loaders;
  requestId: string;
  /** Opens live-change streams (used by the subscription's subscribe step). */
  subscriptions: LiveSubscriptionPort;
  /**
   * The deployment row (id and revision, or none) the history cache read for this request before
   * Apollo's pipeline, found by `lookup`, when it could not answer it there, so the pipeline does
   * not read it again (src/cache/).
   */
  historyRevision?: { lookup: string; row: { id: number; workspaceId: number; revision: number } | null };
  /** Over WebSocket: the connection's share of the database pool, which all its subscriptions draw on. */
  statements?: StatementBudget;
  /**
   * Over WebSocket: `afterSequence` of the connection_init payload, as sent (checked where used).
   * A subscription that gives no `afterSequence` of its own resumes after it, so a stock client
   * that re-sends its original subscribe message on reconnect, but evaluates its connectionParams
   * on each connect, resumes with no gap and no repeat.
   */
  connectionAfterSequence?: unknown;
}

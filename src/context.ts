import type { Loaders } from "./loaders";
import type { Principal } from "./auth/principal";
import type { WaymarkError } from "./errors";
import type { LiveSubscriptions } from "./live/live-subscriptions";
import type { StatementBudget } from "./db/read-gate";

/** Who is calling, as established by the server, never by input. */
export interface Scope {
  workspaceId: number;
  /** Recorded as createdBy / actor. */
  actor: string;
}

/** The per-request GraphQL context. */
export interface RequestContext {
  /** The authenticated caller; null when authentication failed (see authFailure). */
  principal: Principal | null;
  authFailure: WaymarkError | null;
  /** The caller's workspace and identity as services see them (workspace -1, matching nothing, when unauthenticated). */
  scope: Scope;
  loaders: Loaders;
  requestId: string;
  /** Opens live-change streams (used by the subscription's subscribe step). */
  subscriptions: LiveSubscriptions;
  /**
   * The deployment revision the history cache read for this request before Apollo's pipeline,
   * when it could not answer it there, so the pipeline does not read it again (src/cache/).
   */
  historyRevision?: { deployment: number; revision: number | null };
  /** Over WebSocket: the connection's share of the database pool, which all its subscriptions draw on. */
  statements?: StatementBudget;
}

import type { Loaders } from "./loaders";
import type { LiveSubscriptions } from "./live/live-subscriptions";

/** Who is calling, as established by the server, never by input. */
export interface Scope {
  workspaceId: number;
  /** Recorded as createdBy / actor. */
  actor: string;
}

/** The per-request GraphQL context. */
export interface RequestContext {
  scope: Scope;
  loaders: Loaders;
  requestId: string;
  /** Opens live-change streams (used by the subscription's subscribe step). */
  subscriptions: LiveSubscriptions;
}

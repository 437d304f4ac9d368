import type { LiveChangeEntity } from "./live-change.entity";

/**
 * Where committed live changes go. Services call `publish` only after the transaction that
 * wrote the change has committed, so no subscriber ever sees a change that was rolled back.
 */
export interface LiveEvents {
  publish(change: LiveChangeEntity): void;
}

export const noLiveEvents: LiveEvents = { publish: () => undefined };

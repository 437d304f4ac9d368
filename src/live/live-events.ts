import type { LiveEvent } from "./live-event";

/**
 * Where committed live changes go. Services call `publish` only after the transaction that
 * wrote the change has committed, so no subscriber ever sees a change that was rolled back.
 */
export interface LiveEvents {
  publish(event: LiveEvent): void;
}

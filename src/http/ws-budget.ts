import { GraphQLError } from "graphql";
import type { SubscribePayload } from "graphql-ws";
import { ErrorCode } from "../errors";

/** What one graphql-ws connection may hold open at once: a number of operations, and their text. */

export const tooManySubscriptions = (max: number) =>
  new GraphQLError(`This connection already holds at most ${max} subscriptions; complete one first, or open another connection`, {
    extensions: { code: ErrorCode.RATE_LIMITED },
  });

export const tooMuchHeld = (max: number) =>
  new GraphQLError(`This connection's open subscriptions already hold ${max} bytes of text; complete one first, or open another connection`, {
    extensions: { code: ErrorCode.RATE_LIMITED },
  });

/**
 * Charges an operation's text to its connection: an open subscription keeps its id, query
 * (comments and all) and variables, so a hundred of a megabyte each would hold 300 MB for one
 * read key. `held` is the connection's record, by id; operations no longer `open` are dropped
 * from it. False when the connection's open operations would then hold more than `max`.
 */
export function holdText(held: Map<string, number>, open: Readonly<Record<string, unknown>>, id: string, payload: SubscribePayload, max: number): boolean {
  for (const known of held.keys()) if (!(known in open)) held.delete(known);
  const size = id.length + payload.query.length + (payload.operationName?.length ?? 0) + (payload.variables ? JSON.stringify(payload.variables).length : 0);
  let total = size;
  for (const other of held.values()) total += other;
  if (total > max) return false;
  held.set(id, size);
  return true;
}

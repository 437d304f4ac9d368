import type { GraphQLError } from "graphql";
import { QUERY_LIMITS, tooComplex } from "./query-limits";

/**
 * Roughly the length of `value` as JSON text, counted only until it passes `limit`: a walk over
 * the values already built, so an oversized answer is refused before it is serialised.
 */
function jsonLength(value: unknown, limit: number): number {
  if (typeof value === "string") return value.length + 2;
  if (typeof value !== "object" || value === null) return 5;
  let length = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      length += jsonLength(item, limit - length) + 1;
      if (length > limit) return length;
    }
    return length;
  }
  for (const key in value) {
    length += key.length + 4 + jsonLength((value as Record<string, unknown>)[key], limit - length);
    if (length > limit) return length;
  }
  return length;
}

const tooLarge = () => tooComplex(`The answer would be larger than ${QUERY_LIMITS.maxResponseBytes} bytes; ask for smaller pages or fewer fields`);

/** Answers already measured (one subscription event is sent to many subscribers). */
const measured = new WeakMap<object, boolean>();

/**
 * The error that replaces an answer whose data is larger than the cap, or null. `knownLength`
 * is the length of a text already serialised for it (a cached history read), when there is one.
 */
export function responseSizeError(data: unknown, knownLength?: number): GraphQLError | null {
  if (typeof data !== "object" || data === null) return null;
  const limit = QUERY_LIMITS.maxResponseBytes;
  let over = measured.get(data);
  if (over === undefined) measured.set(data, (over = (knownLength ?? jsonLength(data, limit)) > limit));
  return over ? tooLarge() : null;
}

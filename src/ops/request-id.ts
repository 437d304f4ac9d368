import { randomUUID } from "node:crypto";

/** Longest client-sent request id kept; a longer one is cut, so it cannot bloat every log line. */
const MAX_REQUEST_ID = 100;

/**
 * A request's id: the client's `x-request-id` header when it sends one (cut to 100 characters),
 * else a new UUID. The request log derives it first and writes it back into the header, so the
 * GraphQL handler, which derives it again, finds the same id.
 */
export function requestIdOf(header: string | string[] | null | undefined): string {
  return (typeof header === "string" ? header.slice(0, MAX_REQUEST_ID) : "") || randomUUID();
}

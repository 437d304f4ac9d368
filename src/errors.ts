import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { ArgumentValidationError } from "type-graphql";
import type { Logger } from "./logger";

/**
 * The closed list of error codes clients may see in `extensions.code` (SPEC §2).
 * Apollo adds GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED and BAD_REQUEST on its own;
 * everything else is masked as INTERNAL_SERVER_ERROR.
 */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  DEPLOYMENT_NOT_FOUND: "DEPLOYMENT_NOT_FOUND",
  VERSION_NOT_FOUND: "VERSION_NOT_FOUND",
  ALREADY_LIVE: "ALREADY_LIVE",
  NOT_OLDER_THAN_LIVE: "NOT_OLDER_THAN_LIVE",
  NOT_NEWER_THAN_LIVE: "NOT_NEWER_THAN_LIVE",
  LIVE_VERSION_CONFLICT: "LIVE_VERSION_CONFLICT",
  IDEMPOTENCY_KEY_REUSED: "IDEMPOTENCY_KEY_REUSED",
  DEPLOYMENT_PINNED: "DEPLOYMENT_PINNED",
  VERSION_FLAGGED_BAD: "VERSION_FLAGGED_BAD",
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "RATE_LIMITED",
  UNAVAILABLE: "UNAVAILABLE",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo itself produces for malformed requests; they pass through unmasked. */
const APOLLO_CODES = new Set(["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "BAD_USER_INPUT"]);
/**
 * Apollo's other request-level codes, all the client's doing (an operationName the document
 * lacks; automatic persisted queries): BAD_REQUEST, with Apollo's message, which persisted-query
 * clients also recognise ("PersistedQueryNotFound"). So are the request-level errors Apollo
 * gives no code but an HTTP 400 ("provided sha does not match query").
 */
const APOLLO_BAD_REQUESTS = new Set(["OPERATION_RESOLUTION_FAILURE", "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED"]);
const isApolloBadRequest = (raw: GraphQLError, code: unknown) =>
  (typeof code === "string" && APOLLO_BAD_REQUESTS.has(code)) || (raw.extensions.code === undefined && (raw.extensions.http as { status?: number } | undefined)?.status === 400);

/** An expected failure. Services throw these; the API turns them into GraphQL errors verbatim. */
export class WaymarkError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "WaymarkError";
  }
}

export const badInput = (message: string, details: Record<string, unknown> = {}) =>
  new WaymarkError(ErrorCode.BAD_USER_INPUT, message, details);

/** Errors from the drivers that mean "the database cannot be reached", not "the query is wrong". */
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND",
  "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN", "ER_SERVER_GONE_ERROR", "POOL_CLOSED", "SQLITE_BUSY", "SQLITE_IOERR",
]);

export function isUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && UNAVAILABLE_ERRNOS.has(code)) return true;
    if (typeof message === "string" && /connection is in closed state|Pool is closed|Can't add new command when connection is in closed state|^Queue limit reached/.test(message)) return true;
    const links = current as { driverError?: unknown; originalError?: unknown; cause?: unknown };
    current = links.driverError ?? links.originalError ?? links.cause;
  }
  return false;
}

function validationMessage(error: ArgumentValidationError): string {
  const problems = error.extensions.validationErrors.flatMap(function walk(e): string[] {
    const own = Object.values(e.constraints ?? {});
    return [...own, ...(e.children ?? []).flatMap(walk)];
  });
  return `Invalid input: ${problems.join("; ")}`;
}

/**
 * Apollo `formatError`: keeps the closed list, masks everything else. Unexpected errors are
 * logged here, once, with the original stack; the client gets a generic message only, so no SQL,
 * file path or stack can leak.
 */
export function createErrorFormatter(logger: Logger, now: () => number = Date.now) {
  // An outage fails every field of every request at once: the log hears of it once a second.
  let unavailableLoggedAt = -Infinity;
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => {
    const error = unwrapResolverError(raw);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (error instanceof WaymarkError) {
      return { ...base, message: error.message, extensions: { ...error.details, code: error.code } };
    }
    if (error instanceof ArgumentValidationError) {
      return { ...base, message: validationMessage(error), extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    const code = formatted.extensions?.code;
    // Request-level errors (no path) come from Apollo's own parse/validate/coerce pipeline, or
    // from the query limits and the WebSocket's subscription cap, which raise GraphQLErrors with
    // a code of the closed list.
    if (typeof code === "string" && (APOLLO_CODES.has(code) || code === ErrorCode.QUERY_TOO_COMPLEX || code === ErrorCode.RATE_LIMITED) && raw instanceof GraphQLError && !formatted.path) {
      return { ...base, extensions: { code } };
    }
    if (raw instanceof GraphQLError && !formatted.path && isApolloBadRequest(raw, code)) {
      return { ...base, extensions: { code: "BAD_REQUEST" } };
    }
    if (isUnavailable(error)) {
      if (now() - unavailableLoggedAt >= 1_000) {
        unavailableLoggedAt = now();
        logger.warn({ err: error }, "database unavailable");
      }
      return { ...base, message: "The database is unavailable; retry shortly.", extensions: { code: ErrorCode.UNAVAILABLE, retryable: true } };
    }
    logger.error({ err: error, path: formatted.path }, "unexpected error");
    return { ...base, message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

/**
 * The closed list of error codes clients may see in `extensions.code` (docs/design.md, "Errors").
 * Apollo adds GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED and BAD_REQUEST on its own;
 * everything else is masked as INTERNAL_SERVER_ERROR (http/error-mask.ts). No GraphQL server
 * import here: services and the CLI's shared code use these codes without Apollo.
 */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  DEPLOYMENT_NOT_FOUND: "DEPLOYMENT_NOT_FOUND",
  DEPLOYMENT_ARCHIVED: "DEPLOYMENT_ARCHIVED",
  VERSION_NOT_FOUND: "VERSION_NOT_FOUND",
  WEBHOOK_NOT_FOUND: "WEBHOOK_NOT_FOUND",
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

/** The codes the GraphQL layer adds to the list above: malformed requests, and the mask. */
export const TransportErrorCode = {
  GRAPHQL_PARSE_FAILED: "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED: "GRAPHQL_VALIDATION_FAILED",
  BAD_REQUEST: "BAD_REQUEST",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

/**
 * Every code a client may meet in `extensions.code`, with what it means; the schema's ErrorCode
 * enum is printed from this (schema/error-code.ts), so the two cannot drift: a code added above
 * without a description here does not compile.
 */
export const ERROR_CODE_DESCRIPTIONS: Readonly<Record<ErrorCode | TransportErrorCode, string>> = {
  BAD_USER_INPUT: "The input is invalid; extensions.problems lists every problem found, each with its path.",
  UNAUTHENTICATED: "No API key, or one that is unknown, malformed or revoked.",
  FORBIDDEN: "The key lacks the scope the operation needs.",
  DEPLOYMENT_NOT_FOUND: "No deployment with this id or name in the caller's workspace.",
  DEPLOYMENT_ARCHIVED: "The deployment is archived: it takes no new versions and no moves until restoreDeployment.",
  VERSION_NOT_FOUND: "No version with this id or number in the deployment.",
  WEBHOOK_NOT_FOUND: "No webhook (or delivery) with this id in the caller's workspace.",
  ALREADY_LIVE: "The target version is already live: nothing moved.",
  NOT_OLDER_THAN_LIVE: "A rollback's target is newer than the live version.",
  NOT_NEWER_THAN_LIVE: "A promote's target is older than the live version.",
  LIVE_VERSION_CONFLICT: "expectedLiveVersionId is not the live version any more: another caller moved it.",
  IDEMPOTENCY_KEY_REUSED: "The idempotency key was used before with a different input.",
  DEPLOYMENT_PINNED: "The live version is pinned: a move needs unpin: true (or unpinLive first).",
  VERSION_FLAGGED_BAD: "The target version is flagged BAD: moving to it needs force: true.",
  QUERY_TOO_COMPLEX: "The operation exceeds the depth, cost or alias limits.",
  PAYLOAD_TOO_LARGE: "The request or a value in it is larger than the server accepts.",
  RATE_LIMITED: "Too many requests or failed authentications; retry later.",
  UNAVAILABLE: "The database cannot be reached; retry shortly (extensions.retryable is true).",
  GRAPHQL_PARSE_FAILED: "The document is not valid GraphQL syntax.",
  GRAPHQL_VALIDATION_FAILED: "The document does not fit the schema.",
  BAD_REQUEST: "The HTTP request is malformed, or names an operation the document lacks.",
  INTERNAL_SERVER_ERROR: "An unexpected failure; its details are logged on the server, never sent.",
};

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

export const badInput = (message: string, details: Record<string, unknown> = {}) => new WaymarkError(ErrorCode.BAD_USER_INPUT, message, details);

/** Errors from the drivers that mean "the database cannot be reached", not "the query is wrong". */
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_SERVER_GONE_ERROR",
  "POOL_CLOSED",
  // A Galera node outside the primary component ("WSREP has not yet prepared node for application
  // use"), and a write whose retries all met conflicting writes (src/db/write-store.ts).
  "ER_UNKNOWN_COM_ERROR",
  "WRITE_CONFLICTS_PERSISTED",
  "SQLITE_BUSY",
  "SQLITE_IOERR",
]);

export function isUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && UNAVAILABLE_ERRNOS.has(code)) return true;
    if (
      typeof message === "string" &&
      /connection is in closed state|Pool is closed|Can't add new command when connection is in closed state|^Queue limit reached/.test(message)
    )
      return true;
    const links = current as { driverError?: unknown; originalError?: unknown; cause?: unknown };
    current = links.driverError ?? links.originalError ?? links.cause;
  }
  return false;
}

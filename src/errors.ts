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
  ALREADY_LIVE: "ALREADY_LIVE",
  NOT_OLDER_THAN_LIVE: "NOT_OLDER_THAN_LIVE",
  NOT_NEWER_THAN_LIVE: "NOT_NEWER_THAN_LIVE",
  LIVE_VERSION_CONFLICT: "LIVE_VERSION_CONFLICT",
  IDEMPOTENCY_KEY_REUSED: "IDEMPOTENCY_KEY_REUSED",
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "RATE_LIMITED",
  UNAVAILABLE: "UNAVAILABLE",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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

import type { GraphQLFormattedError } from "graphql";
import type { ErrorCode } from "../errors";

/**
 * Every `extensions.code` the server answers with (the closed list, Apollo's request errors and
 * the masked INTERNAL_SERVER_ERROR), plus NETWORK_ERROR when no GraphQL answer came back at all.
 */
export type WaymarkErrorCode = ErrorCode | "GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED" | "BAD_REQUEST" | "INTERNAL_SERVER_ERROR" | "NETWORK_ERROR";

/** A failed call: `code` is the first error's, `errors` all the server gave (none for NETWORK_ERROR). */
export class WaymarkClientError extends Error {
  constructor(
    readonly code: WaymarkErrorCode,
    message: string,
    readonly errors: readonly GraphQLFormattedError[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "WaymarkClientError";
  }

  /** The error of a GraphQL answer's `errors`; a code the list does not know reads as INTERNAL_SERVER_ERROR. */
  static of(errors: readonly GraphQLFormattedError[]): WaymarkClientError {
    const first = errors[0];
    const code = first?.extensions?.code;
    return new WaymarkClientError(typeof code === "string" ? (code as WaymarkErrorCode) : "INTERNAL_SERVER_ERROR", first?.message ?? "Unknown error", errors);
  }
}

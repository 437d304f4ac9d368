import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { ArgumentValidationError } from "type-graphql";
import { ErrorCode, WaymarkError, isUnavailable } from "../errors";
import type { Logger } from "../logger";
import { inputProblem, validationProblems, variableProblem, type Problem } from "./problems";

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
  (typeof code === "string" && APOLLO_BAD_REQUESTS.has(code)) ||
  (raw.extensions.code === undefined && (raw.extensions.http as { status?: number } | undefined)?.status === 400);

function validationMessage(error: ArgumentValidationError): string {
  const problems = error.extensions.validationErrors.flatMap(function walk(e): string[] {
    const own = Object.values(e.constraints ?? {});
    return [...own, ...(e.children ?? []).flatMap(walk)];
  });
  return `Invalid input: ${problems.join("; ")}`;
}

/** A service's BAD_USER_INPUT: each problem it listed, or its one message for the request as a whole. */
function refusalProblems(error: WaymarkError): { problems?: Problem[] } {
  if (error.code !== ErrorCode.BAD_USER_INPUT) return {};
  const listed = error.details.problems;
  if (Array.isArray(listed)) return { problems: listed.map((text) => inputProblem(String(text))) };
  return { problems: [{ path: [], message: error.message }] };
}

/**
 * Apollo `formatError`: keeps the closed list, masks everything else. Unexpected errors are
 * logged here, once, with the original stack; the client gets a generic message only, so no SQL,
 * file path or stack can leak.
 */
export function createErrorFormatter(logger: Logger, now: () => number = Date.now) {
  const format = maskingFormatter(logger, now);
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => wellFormed(format(formatted, raw));
}

/** A UTF-16 unit of a surrogate pair standing alone (`u` mode reads a whole pair as one code point). */
const HALF_CHARACTER = /\p{Cs}/gu;

/**
 * The error with its message, and its problems' messages, as well-formed text: a message that
 * quotes the client's text cut short (`No version "…"`) may end in half a character, which
 * strict JSON readers (Rust's serde_json, for one) refuse, losing the whole answer.
 */
function wellFormed(error: GraphQLFormattedError): GraphQLFormattedError {
  const problems = error.extensions?.problems;
  const text = (value: string) => value.replace(HALF_CHARACTER, "\uFFFD");
  return {
    ...error,
    message: text(error.message),
    ...(Array.isArray(problems) && {
      extensions: { ...error.extensions, problems: problems.map((problem: Problem) => ({ ...problem, message: text(problem.message) })) },
    }),
  };
}

function maskingFormatter(logger: Logger, now: () => number) {
  // An outage fails every field of every request at once: the log hears of it once a second.
  let unavailableLoggedAt = -Infinity;
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => {
    const error = unwrapResolverError(raw);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (error instanceof WaymarkError) {
      return { ...base, message: error.message, extensions: { ...error.details, code: error.code, ...refusalProblems(error) } };
    }
    if (error instanceof ArgumentValidationError) {
      return { ...base, message: validationMessage(error), extensions: { code: ErrorCode.BAD_USER_INPUT, problems: validationProblems(error) } };
    }
    const code = formatted.extensions?.code;
    // Request-level errors (no path) come from Apollo's own parse/validate/coerce pipeline, or
    // from the query limits and the WebSocket's subscription cap, which raise GraphQLErrors with
    // a code of the closed list.
    if (
      typeof code === "string" &&
      (APOLLO_CODES.has(code) || code === ErrorCode.QUERY_TOO_COMPLEX || code === ErrorCode.RATE_LIMITED) &&
      raw instanceof GraphQLError &&
      !formatted.path
    ) {
      return { ...base, extensions: code === ErrorCode.BAD_USER_INPUT ? { code, problems: [variableProblem(formatted.message)] } : { code } };
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

import { mediaTypeOf } from "./csrf";

/**
 * GraphQL over HTTP, for a response in `application/json` (a client that does not accept
 * `application/graphql-response+json`): a well-formed request answers 200 even when the document
 * does not parse, does not validate or its variables do not coerce, because such clients read
 * any other status as a transport failure and never look at the errors. With
 * `application/graphql-response+json` these stay 4xx, as Apollo answers them.
 */
const REQUEST_ERROR_CODES = new Set(["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "QUERY_TOO_COMPLEX"]);
/** Bodies past this size are no request error of a single operation; they keep their status. */
const MAX_ERROR_BODY = 1_048_576;

/** The status to send for Apollo's answer: 200 for such an answer in application/json, else `status`. */
export function statusFor(status: number, contentType: string | undefined, body: string): number {
  if (status !== 400 || mediaTypeOf(contentType) !== "application/json" || body.length > MAX_ERROR_BODY) return status;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return status;
  }
  const { data, errors } = (parsed ?? {}) as { data?: unknown; errors?: Array<{ extensions?: { code?: unknown } }> };
  if (data !== undefined || !Array.isArray(errors) || errors.length === 0) return status;
  return errors.every((error) => REQUEST_ERROR_CODES.has(String(error?.extensions?.code))) ? 200 : status;
}

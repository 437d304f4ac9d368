import { createHash } from "node:crypto";
import { getOperationAST, getVariableValues, GraphQLError, type DocumentNode, type GraphQLSchema } from "graphql";

/**
 * Request errors of an operation sent over graphql-ws, coded the way Apollo codes the same
 * mistakes over HTTP, so both transports answer a mistake with the same code and message (and
 * the error formatter passes them through instead of masking them as unexpected).
 */

/** A copy of `error` carrying `code`, with its locations and message untouched. */
function coded(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/** An empty query, refused before parsing in Apollo's words (its HTTP handler's). */
export const emptyQuery = (): GraphQLError =>
  new GraphQLError("GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.", { extensions: { code: "BAD_REQUEST" } });

/**
 * The persisted-query extension (automatic persisted queries), checked as Apollo checks it over
 * HTTP and in the same words. graphql-ws requires a query string, so a client holding only the
 * hash sends "": it is told the query is not found (nothing is looked up by hash here), which has
 * persisted-query clients send it again with the query.
 */
export function persistedQueryError(payload: { query: string; extensions?: Record<string, unknown> | null }): GraphQLError | null {
  const persisted = payload.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  if (!persisted) return null;
  const refusal = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_REQUEST" } });
  if (persisted.version !== 1) return refusal("Unsupported persisted query version");
  if (payload.query === "") return refusal("PersistedQueryNotFound");
  if (persisted.sha256Hash !== createHash("sha256").update(payload.query).digest("hex")) return refusal("provided sha does not match query");
  return null;
}

/** A syntax error (or the token cap) while parsing: GRAPHQL_PARSE_FAILED, as Apollo's SyntaxError. */
export const parseFailed = (error: unknown): GraphQLError =>
  coded(error instanceof GraphQLError ? error : new GraphQLError("The query could not be parsed"), "GRAPHQL_PARSE_FAILED");

/** Validation errors: GRAPHQL_VALIDATION_FAILED each, as Apollo's ValidationError. */
export const validationFailed = (errors: readonly GraphQLError[]): GraphQLError[] => errors.map((error) => coded(error, "GRAPHQL_VALIDATION_FAILED"));

/** graphql-js's own words when it cannot pick the operation to run (execute.ts, buildExecutionContext). */
function operationMissing(document: DocumentNode, operationName: string | null | undefined): string {
  // An empty name is a name as well, as Apollo reads it over HTTP.
  if (operationName != null) return `Unknown operation named "${operationName}".`;
  const operations = document.definitions.filter((definition) => definition.kind === "OperationDefinition").length;
  return operations > 1 ? "Must provide operation name if query contains multiple operations." : "Must provide an operation.";
}

/** No such operation in the document: BAD_REQUEST, as Apollo answers it over HTTP before any other check of the operation; null when there is one. */
export function operationError(document: DocumentNode, operationName: string | null | undefined): GraphQLError[] | null {
  if (getOperationAST(document, operationName)) return null;
  return [new GraphQLError(operationMissing(document, operationName), { extensions: { code: "BAD_REQUEST" } })];
}

/**
 * Variables that do not coerce to their declared types (BAD_USER_INPUT, every one of them, as
 * over HTTP), as graphql-js would raise them before executing; null when they all do.
 */
export function variableErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): GraphQLError[] | null {
  const operation = getOperationAST(document, operationName);
  const coerced = getVariableValues(schema, operation?.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
  return coerced.errors ? coerced.errors.map((error) => coded(error, "BAD_USER_INPUT")) : null;
}

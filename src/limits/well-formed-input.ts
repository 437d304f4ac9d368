import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, visit, type ASTNode, type DocumentNode } from "graphql";
import { ErrorCode } from "../errors";
import { illFormedValue } from "../json-limits";
import { inexactIntegerMessage, isInexactIntegerLiteral } from "./exact-integers";

const badInput = (message: string, nodes?: ASTNode) =>
  new GraphQLError(message, { nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });

/** Per parsed document: Apollo and the WebSocket endpoint hand the same document to every request with the same text. */
const literalVerdicts = new WeakMap<DocumentNode, GraphQLError | null>();

/**
 * A number literal in the query that is not finite: GraphQL's Float and the JSON scalar read
 * `1e400` (or a 400-digit integer inside a JSON literal) as Infinity; or an integer literal a
 * double cannot hold exactly (exact-integers.ts). The parser already refuses lone surrogates in
 * string literals.
 */
function nonFiniteLiteral(document: DocumentNode): GraphQLError | null {
  let verdict = literalVerdicts.get(document);
  if (verdict !== undefined) return verdict;
  verdict = null;
  const check = (node: { kind: Kind.INT | Kind.FLOAT; value: string }) => {
    if (verdict) return;
    if (!Number.isFinite(Number(node.value))) verdict = badInput(`The number ${node.value.slice(0, 40)} is too large to represent`, node as ASTNode);
    else if (node.kind === Kind.INT && isInexactIntegerLiteral(node.value)) verdict = badInput(inexactIntegerMessage(node.value), node as ASTNode);
  };
  visit(document, { IntValue: check, FloatValue: check });
  literalVerdicts.set(document, verdict);
  return verdict;
}

/**
 * BAD_USER_INPUT for a request (a POST body, a GET's JSON parameter, a graphql-ws subscribe
 * payload) carrying, anywhere in it, a value no field could store faithfully. Checked before
 * the document is parsed, on both transports, so that they answer it first and in the same words.
 */
export function illFormedRequestError(request: unknown, root = ""): GraphQLError | null {
  const problem = illFormedValue(request, root);
  return problem ? badInput(`Invalid request: ${problem}`) : null;
}

/**
 * BAD_USER_INPUT for input no field could store faithfully, checked once for every field
 * before execution: non-finite numbers and lone surrogates in the variables (at any depth,
 * keys included) and non-finite number literals in the query.
 */
export function illFormedInputError(document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined): GraphQLError | null {
  const problem = variables ? illFormedValue(variables, "") : null;
  if (problem) return badInput(`Invalid variables: ${problem.replace(/^\./, "")}`);
  return nonFiniteLiteral(document);
}

/**
 * Refuses, after parsing and before execution, ill-formed input and subscriptions sent over
 * HTTP (they are served over graphql-ws; executing one as a query could only fail).
 */
export function wellFormedInputPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operation }) {
          if (operation?.operation === "subscription") {
            throw new GraphQLError("subscriptions are served over WebSocket (graphql-ws) on this same path, not over HTTP", {
              extensions: { code: "BAD_REQUEST", http: { status: 400 } },
            });
          }
          const error = illFormedInputError(document, request.variables);
          if (error) throw error;
        },
      };
    },
  };
}

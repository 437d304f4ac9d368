import type { ApolloServerPlugin } from "@apollo/server";
import type { DocumentNode, GraphQLError, GraphQLSchema } from "graphql";
import { queryLimitError } from "./query-limits";

/**
 * Rejects an operation that breaks a query limit, after validation and before execution.
 * Apollo hands the same parsed document to every request with the same query text, so the
 * verdict for an operation without variables is kept per document: the walk costs ~8 % of a
 * cheap read otherwise.
 */
export function queryLimitsPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  const verdicts = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  const verdict = (document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | null) => {
    if (variables && Object.keys(variables).length > 0) return queryLimitError(schema, document, variables, operationName);
    let known = verdicts.get(document);
    if (!known) verdicts.set(document, (known = new Map()));
    const name = operationName ?? "";
    if (!known.has(name)) known.set(name, queryLimitError(schema, document, undefined, operationName));
    return known.get(name)!;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          const error = verdict(document, request.variables, operationName);
          if (error) throw error;
        },
      };
    },
  };
}

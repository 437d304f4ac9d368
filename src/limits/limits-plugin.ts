import type { ApolloServerPlugin } from "@apollo/server";
import type { DocumentNode, GraphQLError, GraphQLSchema } from "graphql";
import { queryLimitError, variablesDepthError } from "./query-limits";

/** Verdicts kept per document; past this many variable sets the document's memo starts over. */
const MAX_VARIABLE_SETS = 256;

/**
 * Rejects an operation that breaks a query limit, after validation and before execution.
 * Apollo hands the same parsed document to every request with the same query text, and the
 * verdict depends only on the document, the operation and the variables, so it is kept: the walk
 * costs ~12 % of a cached history read otherwise.
 */
export function queryLimitsPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  const verdicts = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  const verdict = (document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | null) => {
    // Before any serialisation of the variables: a hostile nesting would overflow the stack.
    const tooDeep = variablesDepthError(variables);
    if (tooDeep) return tooDeep;
    let known = verdicts.get(document);
    if (!known || known.size >= MAX_VARIABLE_SETS) verdicts.set(document, (known = new Map()));
    const key = `${operationName ?? ""}\n${variables ? JSON.stringify(variables) : ""}`;
    let found = known.get(key);
    if (found === undefined) known.set(key, (found = queryLimitError(schema, document, variables, operationName)));
    return found;
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

import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLSchema } from "graphql";
import { queryLimitError } from "./query-limits";

/** Rejects an operation that breaks a query limit, after validation and before execution. */
export function queryLimitsPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operationName }) {
          const error = queryLimitError(schema, document, request.variables, operationName);
          if (error) throw error;
        },
      };
    },
  };
}

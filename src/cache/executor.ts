import type { ApolloServerOptionsWithGateway } from "@apollo/server";
import { execute, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from "graphql";
import type { RequestContext } from "../context";
import { StatementBudget, withStatementBudget } from "../db/read-gate";
import type { HistoryCache } from "./history-cache";

type Gateway = ApolloServerOptionsWithGateway<RequestContext>["gateway"];
type GatewayExecutor = NonNullable<Awaited<ReturnType<Gateway["load"]>>["executor"]>;

/** Options for ApolloServer: its executor (through the gateway hook) and its response serialiser. */
export interface CachedExecution {
  gateway: Gateway;
  stringifyResult: (value: FormattedExecutionResult) => string;
}

/**
 * Apollo's executor hook (the gateway interface is the one way Apollo Server 5 takes a custom
 * executor): plain graphql-js execution, except that history reads of one deployment are
 * answered from the validated cache (history-cache.ts). Apollo still parses, validates, builds
 * the context (authentication) and formats errors, so error masking and codes are unchanged.
 */
export function cachedExecution(schema: GraphQLSchema, history: HistoryCache): CachedExecution {
  const executor: GatewayExecutor = (request) => {
    const { variables, operationName } = request.request;
    const run = () =>
      execute({ schema, document: request.document, contextValue: request.context, variableValues: variables, operationName }) as Promise<ExecutionResult>;
    // One request's fields share a few pool connections, however far the query fans out.
    return withStatementBudget(new StatementBudget(), () =>
      history.execute(request.context as RequestContext, request.document, { query: request.source, variables, operationName }, run),
    );
  };
  const gateway: Gateway = {
    load: async () => ({ executor }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => undefined;
    },
    stop: async () => undefined,
  };
  // Apollo's own serialisation is JSON.stringify(value) + "\n"; a cached answer's text is the same.
  const stringifyResult = (value: FormattedExecutionResult) => {
    const cached = !value.errors && !value.extensions && value.data ? history.textOf(value.data) : undefined;
    return cached ?? `${JSON.stringify(value)}\n`;
  };
  return { gateway, stringifyResult };
}

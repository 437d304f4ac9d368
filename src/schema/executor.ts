import type { ApolloServerOptionsWithGateway } from "@apollo/server";
import { execute, type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from "graphql";
import { requireScopes } from "../auth/require-scopes";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import type { Database } from "../db/database";
import { decodeId } from "../ids";
import { cacheableRead, type DeploymentIdSource } from "./cacheable";
import { FreshRows } from "./fresh-rows";
import { ResponseCache } from "./response-cache";

type Gateway = ApolloServerOptionsWithGateway<RequestContext>["gateway"];
type GatewayExecutor = NonNullable<Awaited<ReturnType<Gateway["load"]>>["executor"]>;
type GatewayRequest = Parameters<GatewayExecutor>[0];

/** Options for ApolloServer: its executor (through the gateway hook) and its response serialiser. */
export interface CachedExecution {
  gateway: Gateway;
  stringifyResult: (value: FormattedExecutionResult) => string;
}

/** Response text kept at most, in characters (the answers' objects take about as much again). */
const MAX_CACHED_TEXT = 32 * 1024 * 1024;

/**
 * The deployment row as one string, read fresh for every cacheable request: any change to the row
 * (live pointer, newest number, settings, updatedAt) gives another token. Null when the row is
 * not in the caller's workspace.
 */
async function rowToken(rows: FreshRows, deployment: number, workspaceId: number): Promise<string | null> {
  const row = await rows.read(deployment);
  return row && Number(row.workspace_id) === workspaceId ? JSON.stringify(row) : null;
}

function canRead(context: RequestContext): boolean {
  try {
    requireScopes(context, [KeyScope.read]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Apollo's executor hook (the gateway interface is the one way Apollo Server 5 takes a custom
 * executor): plain graphql-js execution, except that history reads of one deployment
 * (cacheable.ts) are answered from a cache validated against a fresh read of the deployment row.
 * Apollo still parses, validates, builds the context (authentication) and formats errors, so
 * error masking and codes are unchanged; an answer with errors is never cached.
 */
export function cachedExecution(schema: GraphQLSchema, db: Database): CachedExecution {
  const rows = new FreshRows(db);
  /** A cached answer's data → its response text, so a hit is not serialised again. */
  const serialised = new WeakMap<object, string>();
  const analysed = new WeakMap<DocumentNode, DeploymentIdSource | null>();
  const cache = new ResponseCache<ExecutionResult>(MAX_CACHED_TEXT);
  const run = (request: GatewayRequest) =>
    execute({
      schema, document: request.document, contextValue: request.context,
      variableValues: request.request.variables, operationName: request.request.operationName,
    }) as Promise<ExecutionResult>;

  const executor = async (request: GatewayRequest): Promise<ExecutionResult> => {
    const context = request.context as RequestContext;
    let source = analysed.get(request.document);
    if (source === undefined) analysed.set(request.document, (source = cacheableRead(schema, request.document)));
    if (!source || !canRead(context)) return run(request);
    const id = "variable" in source ? request.request.variables?.[source.variable] : source.literal;
    const deployment = typeof id === "string" ? decodeId("deployment", id) : null;
    if (deployment === null) return run(request);
    const workspaceId = context.scope.workspaceId;
    let token: string | null;
    try {
      token = await rowToken(rows, deployment, workspaceId);
    } catch {
      // The resolvers meet the same failure and report it (UNAVAILABLE) the usual way.
      return run(request);
    }
    if (token === null) return run(request);
    const key = `${workspaceId}\n${request.queryHash}\n${request.request.operationName ?? ""}\n${JSON.stringify(request.request.variables ?? {})}`;
    const hit = cache.get(deployment, token, key);
    if (hit) return { data: hit.data };
    const result = await run(request);
    if (!result.errors && result.data) {
      const text = `${JSON.stringify({ data: result.data })}\n`;
      serialised.set(result.data, text);
      cache.set(deployment, token, key, result, text.length);
    }
    return result;
  };

  const gateway: Gateway = {
    load: async () => ({ executor: executor as GatewayExecutor }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => undefined;
    },
    stop: async () => undefined,
  };
  // Apollo's own serialisation is JSON.stringify(value) + "\n"; a cached answer's text is the same.
  const stringifyResult = (value: FormattedExecutionResult) => {
    const cached = !value.errors && !value.extensions && value.data ? serialised.get(value.data) : undefined;
    return cached ?? `${JSON.stringify(value)}\n`;
  };
  return { gateway, stringifyResult };
}

import type { ApolloServerOptions, ApolloServerPlugin } from "@apollo/server";
import { LRUCache } from "lru-cache";
import type { RequestContext } from "../context";

/** Query text kept at most, in characters, as Apollo's own bounded cache keeps (about 30 MiB). */
const MAX_TEXT = 30 * 1024 * 1024;

type PersistedQueries = NonNullable<Exclude<ApolloServerOptions<RequestContext>["persistedQueries"], false>>;

/**
 * Automatic persisted queries, kept per workspace. Apollo keys them by the query's hash alone, so
 * with its one shared store a workspace's request by hash would run a text another workspace's
 * client registered, and an outsider could tell from the answer that someone sent that exact text
 * (one naming a flow or deployment, say). Here a hash is looked up, and a text registered, only
 * under the caller's workspace, and not at all for a request without a valid key; Apollo's own
 * store is left empty, so a hash found nowhere here is PersistedQueryNotFound as usual.
 */
export function workspacePersistedQueries(): { persistedQueries: PersistedQueries; plugin: ApolloServerPlugin<RequestContext> } {
  const texts = new LRUCache<string, string>({ maxSize: MAX_TEXT, sizeCalculation: (text, key) => text.length + key.length });
  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart({ request, contextValue }) {
      const workspace = contextValue.principal?.workspaceId;
      if (workspace == null) return;
      const hash: unknown = request.extensions?.persistedQuery?.sha256Hash;
      // Apollo reads the text only after this hook: one found here is checked against its hash there.
      if (request.query === undefined && typeof hash === "string") request.query = texts.get(`${workspace}:${hash}`);
      return {
        async didResolveOperation({ metrics, queryHash, source }) {
          if (metrics.persistedQueryRegister) texts.set(`${workspace}:${queryHash}`, source);
        },
      };
    },
  };
  const nowhere = { get: async () => undefined, set: async () => undefined, delete: async () => undefined };
  return { persistedQueries: { cache: nowhere }, plugin };
}

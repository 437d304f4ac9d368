/**
 * waymark/client: a typed client of the Waymark API, generated from schema.graphql
 * (src/client/operations.graphql → generated.ts). Calls throw WaymarkClientError, typed by code.
 */
import {
  WaymarkClientCreateVersionDocument,
  WaymarkClientHistoryByNameDocument,
  WaymarkClientHistoryDocument,
  WaymarkClientLastSequenceDocument,
  WaymarkClientPromoteDocument,
  WaymarkClientRollbackDocument,
  type CreateVersionInput,
  type PromoteInput,
  type RollbackInput,
  type WaymarkChangeFragment,
  type WaymarkClientCreateVersionMutation,
  type WaymarkHistoryFragment,
} from "./generated";
import { WaymarkClientError } from "./errors";
import { httpRequester } from "./http";
import { subscribeLive, type LiveSubscription, type SubscribeLiveArgs } from "./live";

export { WaymarkClientError, type WaymarkErrorCode } from "./errors";
export type { LiveSubscription } from "./live";
export type * from "./generated";

export interface WaymarkClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** An API key (`wm_…`), sent as a bearer token over HTTP and in the WebSocket's connection_init. */
  apiKey?: string;
  fetch?: typeof fetch;
  /** A WebSocket class for subscriptions; default the global one, else the `ws` package. */
  webSocketImpl?: unknown;
  /** Reconnect attempts in a row before a subscription gives up (default: no limit). */
  retryAttempts?: number;
}

export type HistoryArgs = ({ deploymentId: string } | { flowName: string; name: string }) & { first?: number; after?: string };

export function createWaymarkClient(options: WaymarkClientOptions) {
  const request = httpRequester(options);
  const notFound = (what: string) => new WaymarkClientError("DEPLOYMENT_NOT_FOUND", `No deployment ${what}`);
  return {
    /** A page of a deployment's versions, newest first, with its live version. */
    async history(args: HistoryArgs): Promise<WaymarkHistoryFragment> {
      const page = { first: args.first ?? null, after: args.after ?? null };
      if ("deploymentId" in args) {
        const { deployment } = await request(WaymarkClientHistoryDocument, { deploymentId: args.deploymentId, ...page });
        if (!deployment) throw notFound(`"${args.deploymentId}"`);
        return deployment;
      }
      const { deploymentByName } = await request(WaymarkClientHistoryByNameDocument, { flowName: args.flowName, name: args.name, ...page });
      if (!deploymentByName) throw notFound(`"${args.flowName}/${args.name}"`);
      return deploymentByName;
    },
    async createVersion(input: CreateVersionInput): Promise<WaymarkClientCreateVersionMutation["createVersion"]> {
      return (await request(WaymarkClientCreateVersionDocument, { input })).createVersion;
    },
    /** The ROLLBACK entry the move appended (with dryRun: the one it would append). */
    async rollback(input: RollbackInput): Promise<WaymarkChangeFragment> {
      return (await request(WaymarkClientRollbackDocument, { input })).rollback.change;
    },
    /** The PROMOTE entry the move appended (with dryRun: the one it would append). */
    async promote(input: PromoteInput): Promise<WaymarkChangeFragment> {
      return (await request(WaymarkClientPromoteDocument, { input })).promote.change;
    },
    /** The sequence of the workspace's newest live change: a starting point "from now". */
    async lastLiveSequence(): Promise<number> {
      return (await request(WaymarkClientLastSequenceDocument, {})).lastLiveSequence;
    },
    /**
     * Every live change after `afterSequence` (default: from now), in order, each once, across
     * reconnects and server restarts; resolves once the starting point is known.
     */
    async subscribeLive(args: Omit<SubscribeLiveArgs, "afterSequence"> & { afterSequence?: number }): Promise<LiveSubscription> {
      const afterSequence = args.afterSequence ?? (await this.lastLiveSequence());
      return subscribeLive(options, { ...args, afterSequence });
    },
  };
}

export type WaymarkClient = ReturnType<typeof createWaymarkClient>;

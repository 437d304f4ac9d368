import { print, type GraphQLFormattedError } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { WaymarkClientError } from "./errors";
import { WaymarkClientLiveDocument, type WaymarkChangeFragment } from "./generated";

export interface LiveOptions {
  /** The GraphQL endpoint over HTTP; the WebSocket is the same URL with ws(s). */
  url: string;
  apiKey?: string;
  /** A WebSocket class; default the global one (browsers, Node 22+), else the `ws` package. */
  webSocketImpl?: unknown;
  /** Reconnect attempts in a row before giving up (default: no limit). */
  retryAttempts?: number;
}

export interface SubscribeLiveArgs {
  /** Deliver every change after this sequence; from `lastLiveSequence` (now) when absent. */
  afterSequence: number;
  deploymentId?: string;
  flowName?: string;
  onChange: (change: WaymarkChangeFragment) => void;
  /** The stream ended for good: an error of the subscription, or reconnecting was given up. */
  onError?: (error: WaymarkClientError) => void;
}

export interface LiveSubscription {
  /** The sequence of the last change delivered (the `afterSequence` given, before the first). */
  readonly lastSequence: number;
  unsubscribe(): void;
}

const FORBIDDEN = 4403;
const MAX_WAIT_MS = 10_000;

function webSocketClass(given: unknown): unknown {
  if (given) return given;
  if (typeof WebSocket !== "undefined") return WebSocket;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node 20 has no global WebSocket
  return require("ws");
}

/**
 * One graphql-ws connection per subscription, so its resume point is this subscription's own.
 * graphql-ws re-sends the same subscribe message on every reconnect, but evaluates
 * connectionParams on every connect: the connection's `afterSequence` is the last sequence
 * delivered here, and the server resumes the subscription after it, so nothing is missed and
 * nothing arrives twice, across any number of reconnects or server restarts.
 */
export function subscribeLive(options: LiveOptions, args: SubscribeLiveArgs): LiveSubscription {
  let last = args.afterSequence;
  const client: Client = createClient({
    url: options.url.replace(/^http/, "ws"),
    webSocketImpl: webSocketClass(options.webSocketImpl),
    lazy: true,
    retryAttempts: options.retryAttempts ?? Number.POSITIVE_INFINITY,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(MAX_WAIT_MS, 250 * 2 ** retries) * (0.5 + Math.random() / 2))),
    // A revoked key stays revoked; any other close or error (a restart, a refused connection
    // while the server is down: graphql-ws gives up on those by default) is retried.
    shouldRetry: (event) => !(typeof event === "object" && event !== null && "code" in event && event.code === FORBIDDEN),
    connectionParams: () => ({ ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}), afterSequence: last }),
  });
  const variables = { deploymentId: args.deploymentId ?? null, flowName: args.flowName ?? null };
  const stop = client.subscribe<{ liveVersionChanged: WaymarkChangeFragment }>(
    { query: print(WaymarkClientLiveDocument), variables, operationName: "WaymarkClientLive" },
    {
      next: (result) => {
        if (result.errors?.length) return args.onError?.(WaymarkClientError.of(result.errors as GraphQLFormattedError[]));
        const change = result.data?.liveVersionChanged;
        if (!change) return;
        last = change.sequence;
        args.onChange(change);
      },
      error: (error) => args.onError?.(toClientError(error)),
      complete: () => void client.dispose(),
    },
  );
  return {
    get lastSequence() {
      return last;
    },
    unsubscribe() {
      stop();
      void client.dispose();
    },
  };
}

function toClientError(error: unknown): WaymarkClientError {
  if (Array.isArray(error)) return WaymarkClientError.of(error as GraphQLFormattedError[]);
  if (typeof error === "object" && error !== null && "code" in error && "reason" in error) {
    const { code, reason } = error as { code: number; reason: string };
    return new WaymarkClientError(code === FORBIDDEN ? "UNAUTHENTICATED" : "NETWORK_ERROR", `WebSocket closed (${code}${reason ? `: ${reason}` : ""})`);
  }
  return new WaymarkClientError("NETWORK_ERROR", error instanceof Error ? error.message : String(error), [], { cause: error });
}

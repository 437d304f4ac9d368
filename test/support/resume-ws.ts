import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { TEST_ADMIN_KEY } from "./server";

/**
 * The README's resume recipe for a stock client: one graphql-ws client for the live
 * subscription, whose connectionParams (evaluated on every connect) carry the last sequence
 * received. `hold` delays each reconnect until the test lets it go, so changes happen "while away".
 */
export function resumingWsClient(httpUrl: string, startAfter: number) {
  let lastSequence = startAfter;
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: () => ({ Authorization: `Bearer ${TEST_ADMIN_KEY}`, afterSequence: lastSequence }),
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async () => gate?.promise,
    on: {
      message: (message) => {
        const change = message.type === "next" ? (message.payload.data as { liveVersionChanged?: { sequence: number } } | null)?.liveVersionChanged : null;
        if (change) lastSequence = change.sequence;
      },
    },
  });
  return {
    client,
    /** Drops the connection; it comes back (resuming) once `reconnect` is called. */
    dropConnection() {
      let open!: () => void;
      gate = { promise: new Promise<void>((resolve) => (open = resolve)), open };
      client.terminate();
    },
    reconnect() {
      gate?.open();
      gate = null;
    },
  };
}

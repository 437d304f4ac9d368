import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { TEST_ADMIN_KEY } from "./server";
import { LIVE_CHANGED, wsUrl } from "./subscriptions";

/** A graphql-ws subscription that also records how its socket was closed, and by whom. */
export interface WatchedSubscription {
  events: any[];
  errors: unknown[];
  /** Resolves with the close code once the socket is closed (by either side). */
  closed: Promise<number>;
  client: Client;
}

/** Subscribes to `query` (the live-change subscription by default) with `key` (the test admin key by default). */
export async function watchSubscription(
  httpUrl: string,
  variables: Record<string, unknown> = {},
  options: { query?: string; key?: string } = {},
): Promise<WatchedSubscription> {
  let acknowledged!: () => void;
  let closedWith!: (code: number) => void;
  const connected = new Promise<void>((resolve) => (acknowledged = resolve));
  const closed = new Promise<number>((resolve) => (closedWith = resolve));
  const errors: unknown[] = [];
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: { Authorization: `Bearer ${options.key ?? TEST_ADMIN_KEY}` },
    // The close is what the suites watch for; the default would print it as an error.
    onNonLazyError: (error) => errors.push(error),
    on: {
      connected: () => acknowledged(),
      closed: (event) => closedWith(Number((event as { code?: number }).code)),
    },
  });
  const watched: WatchedSubscription = { events: [], errors, closed, client };
  client.subscribe(
    { query: options.query ?? LIVE_CHANGED, variables },
    {
      next: (message) => (message.errors ? watched.errors.push(...message.errors) : watched.events.push(message.data)),
      error: (error) => watched.errors.push(error),
      complete: () => undefined,
    },
  );
  await connected;
  return watched;
}

import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { TEST_ADMIN_KEY } from "./server";

export const LIVE_CHANGED = `subscription Live($deploymentId: ID, $flowName: String, $afterSequence: Int) {
  liveVersionChanged(deploymentId: $deploymentId, flowName: $flowName, afterSequence: $afterSequence) {
    id sequence kind actor reason at deployment { id flowName name liveVersion { id } } previousVersion { id number } liveVersion { id number isLive }
  }
}`;

export interface Subscription {
  events: any[];
  errors: unknown[];
  completed: boolean;
  /** Resolves once `count` events have arrived; rejects after `ms` (a hang detector, not a timing). */
  waitFor(count: number, ms?: number): Promise<any[]>;
  /** Waits `ms` and returns what arrived, to assert that nothing else did. */
  settle(ms?: number): Promise<any[]>;
  close(): Promise<void>;
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws");
}

/**
 * A graphql-ws client authenticated with `key` (the test admin key by default; null for none).
 * Tests see a closed connection through `on.closed` and their subscriptions' errors; the client's
 * default for a non-lazy connection's end would print the whole CloseEvent on stderr.
 */
export function wsClient(httpUrl: string, key: string | null = TEST_ADMIN_KEY, on: Record<string, (...args: any[]) => void> = {}): Client {
  return createClient({
    url: wsUrl(httpUrl), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, on, onNonLazyError: () => undefined,
    connectionParams: key === null ? {} : { Authorization: `Bearer ${key}` },
  });
}

/** A graphql-ws client subscribed to `query`; resolves once the server has acknowledged the connection. */
export async function subscribe(httpUrl: string, variables: Record<string, unknown> = {}, query = LIVE_CHANGED, client?: Client): Promise<Subscription> {
  let acknowledged!: () => void;
  const connected = new Promise<void>((resolve) => (acknowledged = resolve));
  const own = client ?? wsClient(httpUrl, TEST_ADMIN_KEY, { connected: () => acknowledged() });
  if (client) acknowledged();
  const sub: Subscription = {
    events: [], errors: [], completed: false,
    async waitFor(count, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (sub.events.length < count) {
        if (sub.errors.length) throw new Error(`subscription failed: ${JSON.stringify(sub.errors)}`);
        if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${count} events, got ${sub.events.length}: ${JSON.stringify(sub.events)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return sub.events;
    },
    async settle(ms = 300) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return sub.events;
    },
    async close() {
      dispose();
      if (!client) await own.dispose();
    },
  };
  const dispose = own.subscribe({ query, variables }, {
    next: (message) => (message.errors ? sub.errors.push(...message.errors) : sub.events.push(message.data?.liveVersionChanged)),
    error: (error) => sub.errors.push(error),
    complete: () => (sub.completed = true),
  });
  await connected;
  return sub;
}

/**
 * Waits until an in-process server has registered at least `count` live listeners: a
 * subscription is acknowledged by the connection, not by the server, so a mutation sent right
 * after subscribing could otherwise commit before the subscription starts listening.
 */
export async function registered(server: { app: { live: { hub: { listenerCount: number } } } }, count: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (server.app.live.hub.listenerCount < count) {
    if (Date.now() > deadline) throw new Error(`only ${server.app.live.hub.listenerCount} of ${count} subscriptions registered after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

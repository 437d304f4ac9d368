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
  /** Resolves once `count` errors have arrived (the server refused the subscription); rejects after `ms`. */
  waitForErrors(count: number, ms?: number): Promise<unknown[]>;
  /**
   * Waits `ms` and returns what arrived, to assert that nothing else did. Only for a subscription
   * that no later event can reach (so no event can serve as the barrier); otherwise wait for a
   * later event, which the server delivers after every earlier one.
   */
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
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    on,
    onNonLazyError: () => undefined,
    connectionParams: key === null ? {} : { Authorization: `Bearer ${key}` },
  });
}

/** A graphql-ws client subscribed to `query`; resolves once the server has acknowledged the connection. */
export async function subscribe(httpUrl: string, variables: Record<string, unknown> = {}, query = LIVE_CHANGED, client?: Client): Promise<Subscription> {
  let acknowledged!: () => void;
  const connected = new Promise<void>((resolve) => (acknowledged = resolve));
  const own = client ?? wsClient(httpUrl, TEST_ADMIN_KEY, { connected: () => acknowledged() });
  if (client) acknowledged();
  /** Re-checked on every message: each waiter resolves (or fails) as soon as its condition holds. */
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((check) => check());
  const until = <T>(ready: () => T | undefined, describe: () => string, ms: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => finish(() => reject(new Error(`waited ${ms} ms for ${describe()}`))), ms);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      const check = () => {
        try {
          const value = ready();
          if (value !== undefined) finish(() => resolve(value));
        } catch (error) {
          finish(() => reject(error));
        }
      };
      waiters.add(check);
      check();
    });
  const sub: Subscription = {
    events: [],
    errors: [],
    completed: false,
    waitFor(count, ms = 10_000) {
      return until(
        () => {
          if (sub.errors.length) throw new Error(`subscription failed: ${JSON.stringify(sub.errors)}`);
          return sub.events.length >= count ? sub.events : undefined;
        },
        () => `${count} events, got ${sub.events.length}: ${JSON.stringify(sub.events)}`,
        ms,
      );
    },
    waitForErrors(count, ms = 10_000) {
      return until(
        () => (sub.errors.length >= count ? sub.errors : undefined),
        () => `${count} errors, got ${sub.errors.length}`,
        ms,
      );
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
  const dispose = own.subscribe(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) sub.errors.push(...message.errors);
        else sub.events.push(message.data?.liveVersionChanged);
        changed();
      },
      error: (error) => {
        sub.errors.push(error);
        changed();
      },
      complete: () => {
        sub.completed = true;
        changed();
      },
    },
  );
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

/**
 * `registered` for a server running as its own process: waits until its /metrics reports at
 * least `count` open live-change subscriptions.
 */
export async function registeredAt(httpUrl: string, count: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = await (await fetch(new URL("/metrics", httpUrl))).text();
    const open = Number(/^waymark_subscriptions_open (\d+)/m.exec(text)?.[1] ?? 0);
    if (open >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${open} of ${count} subscriptions registered at ${httpUrl} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

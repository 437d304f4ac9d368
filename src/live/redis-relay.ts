import { Redis } from "ioredis";
import type { Logger } from "../logger";
import { parseLiveEvent, type LiveEvent } from "./live-event";
import type { LiveHub } from "./live-hub";

const CHANNEL = "waymark:live-changes";
/** While Redis is unreachable, other instances' changes are read from the log this often. */
const POLL_MS = 1_000;

/**
 * Carries live changes between instances. Publishing never waits or queues while Redis is down
 * (the change is already in the log, and local subscribers already have it); when the
 * subscription connection comes back, the hub reads what it missed from the log.
 */
export class RedisRelay {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private poller: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(url: string, private readonly hub: LiveHub, private readonly logger: Logger) {
    const retryStrategy = (attempt: number) => Math.min(100 * attempt, 2_000);
    this.publisher = new Redis(url, { retryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    // The subscription waits in the offline queue until Redis is there, and is renewed on reconnect.
    this.subscriber = new Redis(url, { retryStrategy, maxRetriesPerRequest: null });
    this.subscriber.on("message", (_channel: string, text: string) => {
      const event = parseLiveEvent(text);
      if (event) hub.receive(event);
      else logger.warn({ channel: CHANNEL }, "ignored a malformed live event from Redis");
    });
    this.subscriber.on("ready", () => {
      this.stopPolling();
      void hub.catchUp();
    });
    this.subscriber.on("close", () => this.startPolling());
    this.startPolling();
    for (const client of [this.publisher, this.subscriber]) {
      client.on("error", (error: Error) => logger.warn({ err: error.message }, "redis unavailable; live events stay local until it returns"));
    }
  }

  start(): void {
    this.subscriber.subscribe(CHANNEL).catch((error: unknown) => this.logger.warn({ err: String(error) }, "redis subscribe failed"));
  }

  publish(event: LiveEvent): void {
    this.publisher.publish(CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
      this.logger.debug({ err: String(error), sequence: event.sequence }, "live event not sent to redis");
    });
  }

  /** True while both connections are up. */
  get healthy(): boolean {
    return this.publisher.status === "ready" && this.subscriber.status === "ready";
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPolling();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private startPolling(): void {
    if (this.stopped) return;
    this.poller ??= setInterval(() => void this.hub.catchUp(), POLL_MS);
    this.poller.unref();
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }
}

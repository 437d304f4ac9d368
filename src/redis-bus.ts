import { Redis } from "ioredis";
import type { Logger } from "./logger";

/**
 * Messages between server instances over Redis pub/sub, by channel. Publishing never waits or
 * queues while Redis is down: whatever crosses the bus is also in the database, and each user
 * of the bus reads what it missed when the connection comes back (`onReady`).
 */
export class RedisBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, (text: string) => void>();
  private readonly readyHandlers: Array<() => void> = [];
  private readonly downHandlers: Array<() => void> = [];
  private stopped = false;

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    const retryStrategy = (attempt: number) => Math.min(100 * attempt, 2_000);
    this.publisher = new Redis(url, { retryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    // Its channels are (re)subscribed by this class on every "ready" (subscribeAll), so ioredis's own
    // resubscription after a reconnect would only send them twice.
    this.subscriber = new Redis(url, { retryStrategy, maxRetriesPerRequest: null, autoResubscribe: false });
    this.subscriber.on("message", (channel: string, text: string) => this.handlers.get(channel)?.(text));
    this.subscriber.on("ready", () => {
      this.subscribeAll();
      this.readyHandlers.forEach((handler) => handler());
    });
    this.subscriber.on("close", () => {
      if (!this.stopped) this.downHandlers.forEach((handler) => handler());
    });
    for (const client of [this.publisher, this.subscriber]) {
      client.on("error", (error: Error) => logger.warn({ err: error.message }, "redis unavailable; events between instances resume when it returns"));
    }
  }

  /**
   * Subscriptions are sent only on a ready connection: at once, or when it becomes ready (again,
   * after a reconnect). One sent while ioredis is still in its handshake puts
   * the connection in subscriber mode before the handshake's own commands (CLIENT SETINFO, the
   * INFO ready check), which Redis then refuses: the connection fails its ready check and the
   * instance stays deaf to every other one (ioredis#2037, fixed only in ioredis 6).
   */
  subscribe(channel: string, handler: (text: string) => void): void {
    this.handlers.set(channel, handler);
    if (this.subscriber.status === "ready") this.send([channel]);
  }

  private subscribeAll(): void {
    if (this.handlers.size > 0) this.send([...this.handlers.keys()]);
  }

  private send(channels: string[]): void {
    this.subscriber.subscribe(...channels).catch((error: unknown) => this.logger.warn({ err: String(error), channels }, "redis subscribe failed"));
  }

  publish(channel: string, text: string): void {
    this.publisher.publish(channel, text).catch((error: unknown) => this.logger.debug({ err: String(error), channel }, "message not sent to redis"));
  }

  /** Called each time the subscriber connection is (re)established. */
  onReady(handler: () => void): void {
    this.readyHandlers.push(handler);
  }

  /** Called each time the subscriber connection is lost. */
  onDown(handler: () => void): void {
    this.downHandlers.push(handler);
  }

  get healthy(): boolean {
    return this.publisher.status === "ready" && this.subscriber.status === "ready";
  }

  async ping(): Promise<boolean> {
    return this.publisher.ping().then(
      () => true,
      () => false,
    );
  }

  stop(): void {
    this.stopped = true;
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}

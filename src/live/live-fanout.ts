import type { Database } from "../db/database";
import type { Logger } from "../logger";
import { LiveHub } from "./live-hub";
import type { LiveEvent } from "./live-event";
import type { LiveEvents } from "./live-events";
import { liveLogOf } from "./live-log-reader";
import { RedisRelay } from "./redis-relay";

/**
 * This instance's live-change fan-out: committed changes go to local subscribers directly and,
 * when REDIS_URL is set, to every other instance through Redis.
 */
export class LiveFanout implements LiveEvents {
  readonly hub: LiveHub;
  readonly relay: RedisRelay | null;

  constructor(db: Database, redisUrl: string | null, logger: Logger) {
    this.hub = new LiveHub(liveLogOf(db), (error) => logger.warn({ err: error }, "could not read the live log"));
    this.relay = redisUrl ? new RedisRelay(redisUrl, this.hub, logger) : null;
  }

  /** A Redis that is down at start does not stop the server: the relay connects when it can. */
  start(): void {
    this.relay?.start();
  }

  publish(event: LiveEvent): void {
    this.hub.receive(event);
    this.relay?.publish(event);
  }

  stop(): Promise<void> {
    return this.relay?.stop() ?? Promise.resolve();
  }
}

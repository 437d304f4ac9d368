import type { Database } from "../db/database";
import type { Logger } from "../logger";
import type { RedisBus } from "../redis-bus";
import { LiveHub } from "./live-hub";
import { parseLiveEvent, type LiveEvent } from "./live-event";
import type { LiveEvents } from "./live-events";
import { liveLogOf } from "./live-log-reader";

const CHANNEL = "waymark:live-changes";
/** While Redis is unreachable, other instances' changes are read from the log this often. */
const POLL_MS = 1_000;
/**
 * While it looks healthy too, but rarely: a change whose publish was lost (the publishing
 * connection alone was down, a blip) would otherwise wait for the next change to reveal the gap.
 */
const SAFETY_POLL_MS = 5_000;

/**
 * This instance's live-change fan-out: committed changes go to local subscribers directly and,
 * with a Redis bus, to every other instance. While the bus is down the hub polls the log, and
 * when it returns the hub reads what it missed, so subscribers lose nothing either way.
 */
export class LiveFanout implements LiveEvents {
  readonly hub: LiveHub;
  private poller: NodeJS.Timeout | null = null;
  private pollEvery = 0;

  constructor(
    db: Database,
    private readonly bus: RedisBus | null,
    logger: Logger,
  ) {
    this.hub = new LiveHub(liveLogOf(db), (error) => logger.warn({ err: error }, "could not read the live log"));
    if (!bus) return;
    bus.subscribe(CHANNEL, (text) => {
      const event = parseLiveEvent(text);
      if (event) this.hub.receive(event);
      else logger.warn({ channel: CHANNEL }, "ignored a malformed live event from redis");
    });
    bus.onReady(() => {
      this.setPolling(SAFETY_POLL_MS);
      void this.hub.catchUp();
    });
    bus.onDown(() => this.setPolling(POLL_MS));
    this.setPolling(POLL_MS);
  }

  publish(event: LiveEvent): void {
    this.hub.receive(event);
    this.bus?.publish(CHANNEL, JSON.stringify(event));
  }

  stop(): void {
    this.setPolling(0);
  }

  /** Reads the log every `ms` for the workspaces this instance serves; 0 stops. */
  private setPolling(ms: number): void {
    if (ms === this.pollEvery) return;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    this.pollEvery = ms;
    if (ms > 0) {
      this.poller = setInterval(() => void this.hub.catchUp(), ms);
      this.poller.unref();
    }
  }
}

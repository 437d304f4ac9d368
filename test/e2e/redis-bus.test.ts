import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/logger";
import { RedisBus } from "../../src/redis-bus";
import { eventually } from "../support/load";

// An instance subscribes while its bus's connection is still being set up. ioredis 5.8+ may then send its handshake (INFO, CLIENT SETINFO) after a
// queued SUBSCRIBE, which the server refuses, leaving the instance deaf to every other instance.

const CHANNELS = ["bus-test:a", "bus-test:b", "bus-test:c"];
const BUSES = 24;

describe("the Redis bus", () => {
  const buses: RedisBus[] = [];
  afterAll(() => buses.forEach((bus) => bus.stop()));

  it("is subscribed to every channel it was asked for at start, every time", async () => {
    const url = inject("redisUrl");
    const warnings: string[] = [];
    const logger = createLogger("warn", { write: (line: string) => void warnings.push(line) });
    for (let i = 0; i < BUSES; i++) {
      const bus = new RedisBus(url, logger);
      buses.push(bus);
      const subscribeAll = () => CHANNELS.forEach((channel) => bus.subscribe(channel, () => undefined));
      // At once (the connection is not open yet), or at the moment it opens, before ioredis has
      // finished its handshake: the window a start-up's awaits can land in.
      if (i % 2 === 0) subscribeAll();
      else (bus as unknown as { subscriber: Redis }).subscriber.once("connect", subscribeAll);
    }
    const probe = new Redis(url);
    try {
      const counts = async () => ((await probe.pubsub("NUMSUB", ...CHANNELS)) as Array<string | number>).filter((_, i) => i % 2 === 1).map(Number);
      await eventually("every bus subscribed", async () => (await counts()).every((n) => n === BUSES), 10_000);
      expect(await counts()).toEqual(CHANNELS.map(() => BUSES));
    } finally {
      probe.disconnect();
    }
    expect(warnings.filter((line) => line.includes("subscribe failed"))).toEqual([]);
  });
});

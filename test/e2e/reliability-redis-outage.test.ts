import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "../support/processes";
import { freshDatabase } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { subscribe, type Subscription } from "../support/subscriptions";
import { eventually, send } from "../support/load";
import { readHistory } from "../support/reliability-history";
import { CREATE, PROMOTE, ROLLBACK } from "../support/reliability-ops";

const CHANNEL = "waymark:live-changes";
/** How long a change may take to reach a subscriber before we call it lost (log polling runs every second). */
const DELIVERY_MS = 10_000;

const sequences = (sub: Subscription) => sub.events.map((e) => e.sequence as number);

// docs/design.md, "Subscriptions across instances": a Redis outage never stops local delivery, and no subscriber loses a change to it.
describe("R3 Redis outage: two instances, subscribers on both", () => {
  let redis: RedisServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  let observer: Redis | undefined;
  const subs: Subscription[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const database = await freshDatabase("mysql");
    drop = database.drop;
    const env = { DATABASE_URL: database.url, REDIS_URL: redis.url };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.close()));
    observer?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await drop?.();
  });

  /** Waits until both instances' relays are subscribed; a failure says how many subscribers Redis counted last. */
  const bothRelaysSubscribed = async () => {
    let last = NaN;
    try {
      await eventually("both relays subscribed to Redis", async () => (last = await relaysSubscribed()) === 2);
    } catch (error) {
      const redisLines = (server: ServerProcess) =>
        server
          .output()
          .split("\n")
          .filter((line) => /redis/i.test(line))
          .slice(-5)
          .join("\n");
      throw new Error(`${(error as Error).message} (Redis counted ${last} subscriber(s) of ${CHANNEL} last)\nA:\n${redisLines(a)}\nB:\n${redisLines(b)}`);
    }
  };

  /** Subscribers of the live-change channel in Redis: one per instance whose relay is connected. */
  const relaysSubscribed = async () => {
    const probe = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    try {
      await probe.connect();
      const [, count] = (await probe.pubsub("NUMSUB", CHANNEL)) as [string, number];
      return Number(count);
    } catch {
      return -1;
    } finally {
      probe.disconnect();
    }
  };

  it("keeps local delivery while Redis is down, carries changes between instances again after, and loses nothing", async () => {
    const change = async (url: string, kind: "create" | "rollback" | "promote", deploymentId: string, tag: string) => {
      const [query, input] =
        kind === "create" ? [CREATE, { deploymentId, entrypoint: `flows/redis.py:${tag}` }] : [kind === "rollback" ? ROLLBACK : PROMOTE, { deploymentId }];
      const outcome = await send(url, query, { input });
      expect(outcome.kind, JSON.stringify(outcome)).toBe("ok");
      return (kind === "create" ? outcome.data.createVersion.change : outcome.data[kind].change).sequence as number;
    };
    const seed = await send(a.url, CREATE, { input: { flowName: "redis", name: "outage", entrypoint: "flows/redis.py:seed" } });
    const deploymentId: string = seed.data.createVersion.change.deployment.id;
    await bothRelaysSubscribed();
    const onA = await subscribe(a.url, { deploymentId });
    const onB = await subscribe(b.url, { deploymentId });
    const leaving = await subscribe(b.url, { deploymentId });
    subs.push(onA, onB, leaving);
    const made: number[] = [];

    // Redis up: a change on A reaches everyone.
    made.push(await change(a.url, "create", deploymentId, "before"));
    for (const sub of [onA, onB, leaving]) await sub.waitFor(made.length, DELIVERY_MS);
    const resumeAfter = sequences(leaving).at(-1)!;
    await leaving.close();

    // Redis killed: A's own subscribers still get A's changes at once (local delivery).
    const exited = new Promise((resolve) => redis.process.once("exit", resolve));
    redis.process.kill("SIGKILL");
    await exited;
    made.push(await change(a.url, "create", deploymentId, "outage1"));
    made.push(await change(a.url, "rollback", deploymentId, "outage2"));
    made.push(await change(a.url, "promote", deploymentId, "outage3"));
    await onA.waitFor(made.length, DELIVERY_MS);
    expect(sequences(onA)).toEqual(made);
    // B's subscribers get A's outage changes too: B's hub reads the log while Redis is down.
    const startedWaiting = Date.now();
    await onB.waitFor(made.length, DELIVERY_MS);
    const viaPolling = Date.now() - startedWaiting;
    expect(sequences(onB)).toEqual(made);
    // And the other way round: B's changes made during the outage reach A through the log.
    made.push(await change(b.url, "rollback", deploymentId, "outage4"));
    await onA.waitFor(made.length, DELIVERY_MS);
    await onB.waitFor(made.length, DELIVERY_MS);

    // Redis back: both relays subscribe again, and changes cross between instances through it.
    await redis.restart();
    const restartedAt = Date.now();
    // Changes made while the instances reconnect, each awaited on the other instance before the
    // next: a change published into a gap between one instance's publisher and the other's
    // subscriber reconnecting must still arrive, not wait for a later change to reveal it.
    for (let i = 0; Date.now() - restartedAt < 4_000 && i < 20; i++) {
      const [from, to] = i % 2 === 0 ? [a, onB] : [b, onA];
      made.push(await change(from.url, i % 2 === 0 ? "create" : "rollback", deploymentId, `reconnect${i}`));
      await to.waitFor(made.length, DELIVERY_MS);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await eventually("both relays subscribed to Redis again", async () => (await relaysSubscribed()) === 2, 15_000);
    observer = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    const onChannel: number[] = [];
    observer.on("message", (_channel: string, text: string) => onChannel.push((JSON.parse(text) as { sequence: number }).sequence));
    await observer.subscribe(CHANNEL);
    for (const [from, to] of [
      [a, onB],
      [b, onA],
    ] as const) {
      const sequence = await change(from.url, "create", deploymentId, `after-${from === a ? "a" : "b"}`);
      made.push(sequence);
      await to.waitFor(made.length, DELIVERY_MS);
      await eventually(`sequence ${sequence} published to Redis`, () => onChannel.includes(sequence), DELIVERY_MS);
    }

    // A client of B that left before the outage resumes with afterSequence: everything it missed, in order, once.
    const resumed = await subscribe(b.url, { deploymentId, afterSequence: resumeAfter });
    subs.push(resumed);
    const missed = made.filter((s) => s > resumeAfter);
    await resumed.waitFor(missed.length, DELIVERY_MS);
    made.push(await change(a.url, "rollback", deploymentId, "last"));
    for (const sub of [onA, onB, resumed]) await sub.waitFor(sub === resumed ? missed.length + 1 : made.length, DELIVERY_MS);
    await onB.settle(500);

    const logged = (await readHistory(a.url, deploymentId)).changes.map((c) => c.sequence).reverse();
    console.log(
      `R3: ${made.length} changes; B's subscriber got A's outage changes ${viaPolling} ms after the last was made (log polling); ` +
        `resumed client replayed ${missed.length}`,
    );
    expect(logged).toEqual([seed.data.createVersion.change.sequence, ...made]);
    expect(sequences(onA)).toEqual(made);
    expect(sequences(onB)).toEqual(made);
    expect(sequences(resumed)).toEqual(made.filter((s) => s > resumeAfter));
    expect([...onA.errors, ...onB.errors, ...resumed.errors]).toEqual([]);
    observer.disconnect();
    observer = undefined;
  });

  // A partial outage: Redis stays up for every subscriber connection but refuses A's publisher
  // (max clients reached; an idle timeout or a network blip does the same for a moment). B's
  // subscriber never went down, so B neither polls the log nor catches up on reconnect.
  it("delivers a change made on A to B's subscribers while only A's publishing connection to Redis is down", async () => {
    const seed = await send(a.url, CREATE, { input: { flowName: "redis", name: "partial", entrypoint: "flows/redis.py:seed" } });
    const deploymentId: string = seed.data.createVersion.change.deployment.id;
    await bothRelaysSubscribed();
    const onA = await subscribe(a.url, { deploymentId });
    const onB = await subscribe(b.url, { deploymentId });
    subs.push(onA, onB);
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const own = String(await admin.client("ID"));
      const clients = String(await admin.client("LIST"))
        .trim()
        .split("\n")
        .map((line) => Object.fromEntries(line.split(" ").map((field) => field.split("=", 2) as [string, string])));
      const publishers = clients.filter((c) => c.id !== own && c.sub === "0" && c.psub === "0");
      expect(publishers).toHaveLength(2);
      // Room for the connections that stay; the publishers' reconnects are refused.
      await admin.config("SET", "maxclients", String(clients.length - publishers.length));
      for (const publisher of publishers) await admin.client("KILL", "ID", publisher.id!);
      const outcome = await send(a.url, CREATE, { input: { deploymentId, entrypoint: "flows/redis.py:partial" } });
      expect(outcome.kind).toBe("ok");
      const sequence: number = outcome.data.createVersion.change.sequence;
      await onA.waitFor(1, DELIVERY_MS);
      expect(sequences(onA)).toEqual([sequence]);
      await onB.settle(3_000);
      // The publishers may connect again; a fix may deliver now (republish) or may have already (polling).
      await admin.config("SET", "maxclients", "10000");
      await eventually(
        "both publishers connected again",
        async () =>
          String(await admin.client("LIST"))
            .split("\n")
            .filter((line) => / sub=0 psub=0 /.test(line)).length >= 3,
      );
      const delivered = await onB.waitFor(1, DELIVERY_MS).then(
        () => true,
        () => false,
      );
      // Whether it was lost or only held back: the next change reveals the gap to B's hub.
      const next = await send(a.url, ROLLBACK, { input: { deploymentId } });
      const nextSequence: number = next.data.rollback.change.sequence;
      await onB.waitFor(2, DELIVERY_MS);
      console.log(
        `R3 partial outage: B's subscriber ${delivered ? "got" : "did NOT get"} A's change ${sequence} within ` +
          `${DELIVERY_MS} ms of A's publisher reconnecting; it arrived only with the next change: ${!delivered}`,
      );
      expect(sequences(onB)).toEqual([sequence, nextSequence]);
      expect(delivered, "A's change reached B only when a later change revealed the gap").toBe(true);
    } finally {
      await admin.config("SET", "maxclients", "10000");
      admin.disconnect();
    }
  });
});

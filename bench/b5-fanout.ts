/**
 * B5: live-change delivery over graphql-ws at 1, 100 and 1,000
 * subscribers, from the moment the mutation's HTTP response arrives to each delivery (p50/p99 of
 * all deliveries; p99 of the last delivery per mutation), without Redis (one instance) and with
 * Redis (mutations sent to instance A, subscribers on instance B); then server RSS with 10,000
 * idle subscriptions (one WebSocket each). Clients are minimal graphql-transport-ws sockets in
 * this process, so their own receive work is inside the figures. `--profile` runs the
 * 1,000-subscriber fan-out once more on a single instance under --cpu-prof (`--only-profile`
 * skips everything else) and prints the top frames.
 */
import WebSocket from "ws";
import { CpuTable } from "./lib/cpu";
import { authHeader, conditions, freshDatabase, gql, machine, startMariaDb, startRedis, startServer, type ServerProcess, runBench } from "./lib/infra";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summariseProfile } from "./lib/profile";
import { CREATE, versionInput } from "./lib/seed";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const SUBSCRIPTION = `subscription L($id: ID) { liveVersionChanged(deploymentId: $id) { id sequence kind at liveVersion { id number version } } }`;
const ROLLBACK = `mutation R($id: ID!) { rollback(input: { deploymentId: $id }) { change { sequence } } }`;
const PROMOTE = `mutation P($id: ID!) { promote(input: { deploymentId: $id }) { change { sequence } } }`;

interface Subscriber {
  socket: WebSocket;
  /** Arrival time of each event, by sequence. */
  arrivals: Map<number, number>;
}

function subscribe(httpUrl: string, deploymentId: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(httpUrl.replace(/^http/, "ws"), "graphql-transport-ws");
    const sub: Subscriber = { socket, arrivals: new Map() };
    socket.once("error", reject);
    socket.on("open", () =>
      socket.send(JSON.stringify({ type: "connection_init", payload: authHeader().authorization ? { Authorization: authHeader().authorization } : {} })),
    );
    socket.on("message", (data: Buffer) => {
      const at = performance.now();
      const message = JSON.parse(data.toString()) as { type: string; payload?: any };
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: SUBSCRIPTION, variables: { id: deploymentId } } }));
        resolve(sub);
      } else if (message.type === "next") {
        const change = message.payload?.data?.liveVersionChanged;
        if (change) sub.arrivals.set(change.sequence, at);
      } else if (message.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
    });
  });
}

async function openMany(url: string, deploymentId: string, count: number): Promise<Subscriber[]> {
  const subs: Subscriber[] = [];
  for (let i = 0; i < count; i += 250) subs.push(...(await Promise.all(Array.from({ length: Math.min(250, count - i) }, () => subscribe(url, deploymentId)))));
  return subs;
}

const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const ms = (n: number) => n.toFixed(1);
const pause = (t: number) => new Promise((r) => setTimeout(r, t));

/** `mutations` pointer moves through `writer`, each awaited until every subscriber has it (or 5 s). */
async function measure(writer: string, deploymentId: string, subs: Subscriber[], mutations: number) {
  const all: number[] = [];
  const lasts: number[] = [];
  let missing = 0;
  for (let i = 0; i < mutations; i++) {
    const data = await gql(writer, i % 2 === 0 ? ROLLBACK : PROMOTE, { id: deploymentId }, authHeader());
    const responded = performance.now();
    const sequence: number = (data.rollback ?? data.promote).change.sequence;
    const deadline = responded + 5_000;
    while (subs.some((s) => !s.arrivals.has(sequence)) && performance.now() < deadline) await pause(1);
    const latencies = subs
      .map((s) => s.arrivals.get(sequence))
      .filter((t): t is number => t !== undefined)
      .map((t) => Math.max(0, t - responded));
    missing += subs.length - latencies.length;
    all.push(...latencies);
    lasts.push(Math.max(...latencies));
    await pause(20);
  }
  all.sort((a, b) => a - b);
  lasts.sort((a, b) => a - b);
  return { p50: q(all, 0.5), p99: q(all, 0.99), lastP50: q(lasts, 0.5), lastP99: q(lasts, 0.99), missing };
}

async function fanout(
  label: string,
  writer: ServerProcess,
  reader: ServerProcess,
  deploymentId: string,
  stores: Record<string, number>,
  counts = [1, 100, 1_000],
) {
  console.log(
    `\n${label}\n\n| subscribers | mutations | delivery p50 ms | delivery p99 ms | last delivery p50 ms | last delivery p99 ms | missing |\n|---|---|---|---|---|---|---|`,
  );
  const servers: Record<string, number> =
    writer === reader ? { server: writer.pid } : { "server A (writes)": writer.pid, "server B (subscribers)": reader.pid };
  const cpu = new CpuTable({ ...servers, ...stores, "bench (mutations, subscribers)": process.pid }, "change (all its deliveries)");
  for (const count of counts) {
    const subs = await openMany(reader.url, deploymentId, count);
    await pause(300);
    await measure(writer.url, deploymentId, subs, 2);
    const mutations = count >= 1_000 ? 30 : 50;
    const r = await cpu.measure(async () => ({
      label: `${count} subscribers`,
      requests: mutations,
      ...(await measure(writer.url, deploymentId, subs, mutations)),
    }));
    console.log(`| ${count} | ${mutations} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.lastP50)} | ${ms(r.lastP99)} | ${r.missing} |`);
    for (const s of subs) s.socket.terminate();
    await pause(500);
  }
  console.log(`\n${cpu}`);
}

/** The 1,000-subscriber fan-out on one instance under --cpu-prof; prints the top frames. */
async function profiled(dbUrl: string, deploymentId: string, stores: Record<string, number>) {
  const dir = mkdtempSync(join(tmpdir(), "waymark-prof-"));
  const server = await startServer({ DATABASE_URL: dbUrl }, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  try {
    await fanout("Profiled: one instance under --cpu-prof", server, server, deploymentId, stores, [1_000]);
  } finally {
    await server.stop();
  }
  console.log(`\n${summariseProfile(dir)}`);
}

async function main() {
  const idle = arg("idle", 10_000);
  console.log(`B5 on ${machine()}; ${conditions()}`);
  const mariadb = await startMariaDb();
  const redis = await startRedis();
  const dbUrl = await freshDatabase(mariadb.url, "bench_b5");
  const a = await startServer({ DATABASE_URL: dbUrl, REDIS_URL: redis.url });
  const b = await startServer({ DATABASE_URL: dbUrl, REDIS_URL: redis.url });
  const solo = await startServer({ DATABASE_URL: dbUrl });
  try {
    let deploymentId = "";
    for (let n = 0; n < 2; n++)
      deploymentId = (await gql(solo.url, CREATE, { input: versionInput({ flowName: "b5", name: "live" }) }, authHeader())).createVersion.deployment.id;
    const stores = { mariadb: mariadb.process.pid!, redis: redis.process.pid! };
    if (process.argv.includes("--profile") || process.argv.includes("--only-profile")) await profiled(dbUrl, deploymentId, stores);
    if (process.argv.includes("--only-profile")) return;
    await fanout("Without Redis: one instance, mutations and subscribers on it", solo, solo, deploymentId, stores);
    await fanout("With Redis: mutations to instance A, subscribers on instance B", a, b, deploymentId, stores);
    // Idle memory on a fresh process, so the heap grown by the runs above does not count.
    await solo.stop();
    const fresh = await startServer({ DATABASE_URL: dbUrl });
    await gql(fresh.url, "{ __typename }", {}, authHeader());
    await pause(1_000);
    const before = fresh.rss();
    const subs = await openMany(fresh.url, deploymentId, idle);
    await pause(3_000);
    const after = fresh.rss();
    const check = await measure(fresh.url, deploymentId, subs, 3);
    await fresh.stop();
    console.log(
      `\nIdle: fresh server RSS ${ms(before / 2 ** 20)} MB before, ${ms(after / 2 ** 20)} MB with ${idle} idle subscriptions (one socket each): ` +
        `${ms((after - before) / 2 ** 20 / (idle / 1000))} MB per 1,000 (target: ≤ 300 MB at 10,000). ` +
        `Then 3 changes to all ${idle}: last delivery p50 ${ms(check.lastP50)} ms, missing ${check.missing}.`,
    );
    for (const s of subs) s.socket.terminate();
  } finally {
    await Promise.all([a.stop(), b.stop(), solo.stop()]);
    await redis.stop();
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

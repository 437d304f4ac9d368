/**
 * Webhook delivery latency: from a live change's commit to the receiver, on MySQL (MariaDB) and
 * on SQLite, one server process each (as `npm start` runs it) and a receiver on loopback in this
 * process. "Commit" is taken as the moment the mutation's HTTP response arrives (the change is
 * committed before the response is written, so this slightly flatters the figure); the change's
 * own `at` (set in the transaction, before COMMIT) gives an upper bound. Two loads: one change at
 * a time (each awaited at the receiver), and a burst of changes from 4 concurrent writers on 4
 * deployments.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authHeader, freshDatabase, gql, machine, startMariaDb, startServer, runBench, type ServerProcess } from "./lib/infra";
import { versionInput } from "./lib/seed";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const CREATE = `mutation C($input: CreateVersionInput!) { createVersion(input: $input) { change { sequence at } } }`;
const WEBHOOK = `mutation W($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`;
const ENV = {
  WAYMARK_SECRET_KEY: "bench-secret-key-0123456789abcdefghijklmnop",
  WAYMARK_WEBHOOKS_ALLOW_HTTP: "loopback",
  WAYMARK_WEBHOOKS_ALLOWED_HOSTS: "127.0.0.1",
};

const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const line = (label: string, values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return `${label}: p50 ${q(s, 0.5).toFixed(1)} ms, p99 ${q(s, 0.99).toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms (n=${s.length})`;
};

interface Arrival {
  at: number;
  wall: number;
}

async function receiver(): Promise<{ url: string; arrivals: Map<number, Arrival>; waiting: Map<number, () => void>; close: () => void }> {
  const arrivals = new Map<number, Arrival>();
  const waiting = new Map<number, () => void>();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const sequence = (JSON.parse(body) as { sequence: number }).sequence;
      arrivals.set(sequence, { at: performance.now(), wall: Date.now() });
      res.writeHead(204).end();
      waiting.get(sequence)?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals, waiting, close: () => server.close() };
}

async function measure(label: string, server: ServerProcess, count: number): Promise<void> {
  const r = await receiver();
  await gql(server.url, WEBHOOK, { input: { url: r.url, events: ["CREATE"], description: "bench" } }, authHeader());
  const fromResponse: number[] = [];
  const fromAt: number[] = [];
  const create = async (name: string, n: number) => {
    const sent = await gql(server.url, CREATE, { input: versionInput({ flowName: "b6", name, entrypoint: `f.py:${name}${n}` }) }, authHeader());
    return { committed: performance.now(), sequence: sent.createVersion.change.sequence as number, at: Date.parse(sent.createVersion.change.at) };
  };
  const record = async (c: { committed: number; sequence: number; at: number }) => {
    if (!r.arrivals.has(c.sequence)) await new Promise<void>((resolve) => r.waiting.set(c.sequence, resolve));
    const arrival = r.arrivals.get(c.sequence)!;
    fromResponse.push(arrival.at - c.committed);
    fromAt.push(arrival.wall - c.at);
  };
  for (let n = 0; n < count; n++) await record(await create("seq", n));
  console.log(`${label}, one change at a time\n  ${line("from response", fromResponse)}\n  ${line("from change.at", fromAt)}`);
  fromResponse.length = 0;
  fromAt.length = 0;
  const started = performance.now();
  await Promise.all(
    [0, 1, 2, 3].map(async (w) => {
      const pending: Array<Promise<void>> = [];
      for (let n = 0; n < count / 4; n++) pending.push(record(await create(`burst${w}`, n)));
      await Promise.all(pending);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label}, burst of ${count} from 4 writers (${(count / seconds).toFixed(0)} changes/s)\n  ${line("from response", fromResponse)}\n  ${line("from change.at", fromAt)}`,
  );
  r.close();
}

async function main(): Promise<void> {
  const count = arg("count", 200);
  console.log(machine());
  const mariadb = await startMariaDb();
  const servers: ServerProcess[] = [];
  try {
    const mysql = await startServer({ ...ENV, DATABASE_URL: await freshDatabase(mariadb.url, "wm_bench_b6") });
    servers.push(mysql);
    await measure("MySQL (MariaDB)", mysql, count);
    const sqlite = await startServer({ ...ENV, DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), "wm-b6-")), "b6.sqlite")}` });
    servers.push(sqlite);
    await measure("SQLite", sqlite, count);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

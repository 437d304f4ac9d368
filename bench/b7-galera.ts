/**
 * B7: write and read throughput on one MariaDB server against a 3-node Galera cluster, in one
 * run, interleaved: createVersion and rollback/promote (each worker on its own deployment, so
 * the figures measure replication and certification, not contention), then a cached history
 * read. On the cluster, one server instance per node and the clients spread over the three.
 * CPU ms per request of every server instance, every mariadbd and the bench process itself.
 */
import { execFileSync } from "node:child_process";
import { createConnection } from "mysql2/promise";
import { startGaleraCluster } from "../test/support/galera";
import { authHeader, post, freshDatabase, gql, machine, startMariaDb, startServer, runBench, type ServerProcess } from "./lib/infra";
import { cpuMs } from "./lib/cpu";
import { TABLE_HEAD, closedLoop, row, type LoadResult } from "./lib/load";
import { CREATE, versionInput } from "./lib/seed";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const ROLLBACK = `mutation R($id: ID!) { rollback(input: { deploymentId: $id }) { change { sequence } } }`;
const PROMOTE = `mutation P($id: ID!) { promote(input: { deploymentId: $id }) { change { sequence } } }`;
const CREATE_SMALL = `mutation C($input: CreateVersionInput!) { createVersion(input: $input) { version { id number } change { sequence } } }`;
const HISTORY = `query H($id: ID!) { deployment(id: $id) { versionCount liveVersion { id number } versions(first: 10) { edges { node { id number isLive } } } liveHistory(first: 10) { edges { node { sequence kind } } } } }`;

/** A store and the instances in front of it, with the processes whose CPU is counted. */
interface Setup {
  name: string;
  servers: ServerProcess[];
  databasePids: number[];
  ids: string[];
}

async function deployments(url: string, workers: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let w = 0; w < workers; w++) {
    await gql(url, CREATE, { input: versionInput({ flowName: prefix, name: `d${w}` }) }, authHeader());
    const created = await gql(url, CREATE, { input: versionInput({ flowName: prefix, name: `d${w}` }) }, authHeader());
    ids.push(created.createVersion.deployment.id);
  }
  return ids;
}

async function measure(setup: Setup, label: string, workers: number, seconds: number, op: (url: string, id: string, i: number) => Promise<void>) {
  const before = { servers: setup.servers.map((s) => cpuMs(s.pid)), databases: setup.databasePids.map(cpuMs), bench: cpuMs(process.pid) };
  const result = await closedLoop(`${setup.name}: ${label}`, workers, seconds, 500_000, (w, i) =>
    op(setup.servers[w % setup.servers.length]!.url, setup.ids[w]!, i),
  );
  const sum = (now: number[], then: number[]) => now.reduce((total, ms, i) => total + ms - then[i]!, 0) / Math.max(1, result.requests);
  const cpu = {
    servers: sum(
      setup.servers.map((s) => cpuMs(s.pid)),
      before.servers,
    ),
    databases: sum(setup.databasePids.map(cpuMs), before.databases),
    bench: (cpuMs(process.pid) - before.bench) / Math.max(1, result.requests),
  };
  return { result, cpu };
}

async function main() {
  const seconds = arg("seconds", 8);
  const workers = arg("workers", 12);
  console.log(
    `B7 on ${machine()}; ${seconds} s per run, ${workers} workers (one deployment each); uptime: ${execFileSync("uptime", { encoding: "utf8" }).trim()}\n`,
  );
  const single = await startMariaDb();
  const cluster = await startGaleraCluster(3);
  const servers: ServerProcess[] = [];
  try {
    const singleUrl = await freshDatabase(single.url, "bench_b7");
    const admin = await createConnection({ uri: cluster.nodes[0]!.url });
    await admin.query("CREATE DATABASE bench_b7 CHARACTER SET utf8mb4");
    await admin.end();
    const nodeUrls = cluster.nodes.map((n) => n.url.replace(/\/mysql$/, "/bench_b7"));
    const one = await startServer({ DATABASE_URL: singleUrl });
    servers.push(one);
    const three = await Promise.all(nodeUrls.map((url) => startServer({ DATABASE_URL: url })));
    servers.push(...three);
    const setups: Setup[] = [
      { name: "1 MariaDB, 1 instance", servers: [one], databasePids: [single.process.pid!], ids: await deployments(one.url, workers, "b7") },
      {
        name: "3-node Galera, 3 instances",
        servers: three,
        databasePids: cluster.nodes.map((n) => n.process.pid!),
        ids: await deployments(three[0]!.url, workers, "b7"),
      },
    ];
    const runs: Array<[string, (url: string, id: string, i: number) => Promise<void>]> = [
      ["createVersion", (url, id) => post(url, CREATE_SMALL, { input: { ...versionInput(), deploymentId: id } })],
      ["rollback/promote", (url, id, i) => post(url, i % 2 === 0 ? ROLLBACK : PROMOTE, { id })],
      ["history read (cached)", (url, id) => post(url, HISTORY, { id })],
    ];
    const results: LoadResult[] = [];
    const cpu: string[] = [];
    const ratios: string[] = [];
    for (const [label, op] of runs) {
      const measured = [];
      for (const setup of setups) {
        const { result, cpu: perRequest } = await measure(setup, label, workers, seconds, op);
        results.push(result);
        measured.push(result);
        cpu.push(
          `| ${result.label} | ${perRequest.servers.toFixed(2)} | ${perRequest.databases.toFixed(2)} | ${perRequest.bench.toFixed(2)} | ${(perRequest.servers + perRequest.databases + perRequest.bench).toFixed(2)} |`,
        );
      }
      ratios.push(`${label}: 3-node cluster ${(measured[1]!.rps / measured[0]!.rps).toFixed(3)}× one server`);
    }
    console.log(`${TABLE_HEAD}\n${results.map(row).join("\n")}\n`);
    console.log(
      `CPU ms per request (all instances, all mariadbd):\n\n| run | servers | databases | bench process | total |\n|---|---|---|---|---|\n${cpu.join("\n")}\n`,
    );
    console.log(ratios.join("\n"));
    console.log(`\nuptime after: ${execFileSync("uptime", { encoding: "utf8" }).trim()}`);
  } finally {
    for (const server of servers) await server.stop();
    await cluster.stop();
    await single.stop();
  }
}

if (require.main === module) runBench(main);

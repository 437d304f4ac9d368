/**
 * B8: scale out. Two server processes on one MariaDB and one Redis against one, in interleaved
 * rounds of one run, under B6's history mix (50 deployments × first page and a page after a
 * cursor × by id and by name: 200 distinct reads, answered from the validated cache) and the
 * same mix executed every time (each read also selects `viewerCanRollback`, which the cache never
 * answers). Three ways: all connections on server A; the same connections split over A and B;
 * and as many connections again on each of A and B.
 *
 * On 2 shared cores two processes cannot serve twice the reads of one: the load generator,
 * MariaDB and the servers already share the cores. So each run also prints the CPU time per read
 * of every process, and the projection: if a read costs a server process the same CPU with two
 * processes as with one, and MariaDB the same too, then with a core per server process two serve
 * 2 × (one's CPU per read / two's) the reads of one, until MariaDB's or the load generator's
 * cores are the limit.
 */
import { CpuTable, cpuMs } from "./lib/cpu";
import { authHeader, conditions, freshDatabase, machine, startMariaDb, startRedis, startServer, runBench } from "./lib/infra";
import { TABLE_HEAD, hammer, row, type LoadResult } from "./lib/load";
import { seedStore } from "./lib/seed";
import { mixOf } from "./b6-history-mix";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);

interface Run extends LoadResult {
  cpu: Record<string, number>;
}

async function main() {
  const seconds = arg("seconds", 6);
  const rounds = arg("rounds", 2);
  const connections = arg("connections", 10);
  const count = arg("deployments", 50);
  console.log(`B8 on ${machine()}; ${rounds} rounds × ${seconds} s, ${connections} connections in all; ${conditions()}\n`);
  const [mariadb, redis] = await Promise.all([startMariaDb(), startRedis()]);
  const dbUrl = await freshDatabase(mariadb.url, "bench_b8");
  const env = { DATABASE_URL: dbUrl, REDIS_URL: redis.url };
  const a = await startServer(env);
  const b = await startServer(env);
  try {
    // d0000 is made through server A; the rest in SQL, so both servers start with nothing held.
    const ids = await seedStore(a.url, dbUrl, count, 100);
    const deployments = ids.map((id, i) => ({ id, name: `d${String(i).padStart(4, "0")}` }));
    const cached = mixOf(deployments);
    const executed = cached.map((body) => body.replace(/\{ id name /, "{ id name viewerCanRollback "));
    const headers = authHeader();
    const half = Math.max(1, Math.floor(connections / 2));
    const one = (label: string, bodies: string[]) => hammer(label, a.url, bodies, { seconds, connections, headers });
    const two = async (label: string, bodies: string[], each: [number, number]): Promise<LoadResult> => {
      const [ra, rb] = await Promise.all([
        hammer(label, a.url, bodies, { seconds, connections: each[0], headers }),
        hammer(label, b.url, bodies, { seconds, connections: each[1], headers }),
      ]);
      const requests = ra.requests + rb.requests;
      const weighted = (k: "p50" | "p99") => (ra[k] * ra.requests + rb[k] * rb.requests) / Math.max(1, requests);
      const [errors, rps, p99, max] = [ra.errors + rb.errors, ra.rps + rb.rps, Math.max(ra.p99, rb.p99), Math.max(ra.max, rb.max)];
      return { label, requests, errors, seconds: ra.seconds, rps, p50: weighted("p50"), p90: NaN, p99, max };
    };
    // The same connections in all split over the two, and as many again on each (each process
    // then sees the concurrency one process saw: what a second process behind a balancer gets
    // when the load doubles).
    const configs: Array<[string, (label: string, bodies: string[]) => Promise<LoadResult>]> = [
      [`one process (${connections})`, one],
      [`two processes (${half}+${connections - half})`, (label, bodies) => two(label, bodies, [half, connections - half])],
      [`two processes (${connections}+${connections})`, (label, bodies) => two(label, bodies, [connections, connections])],
    ];
    for (const bodies of [cached, executed]) for (const [, run] of configs) await run("warm-up", bodies);
    const pids = { "server A": a.pid, "server B": b.pid, mariadb: mariadb.process.pid!, redis: redis.process.pid!, "load generator": process.pid };
    const cpu = new CpuTable(pids);
    const runs: Run[] = [];
    const measure = async (run: () => Promise<LoadResult>) => {
      const before = snapshot(pids);
      const result = await cpu.measure(run);
      const after = snapshot(pids);
      runs.push({ ...result, cpu: Object.fromEntries(Object.keys(pids).map((k) => [k, (after[k]! - before[k]!) / Math.max(1, result.requests)])) });
    };
    for (const [kind, bodies] of [
      ["cached", cached],
      ["executed", executed],
    ] as const) {
      for (let r = 1; r <= rounds; r++) for (const [config, run] of configs) await measure(() => run(`${kind}, ${config} #${r}`, bodies));
    }
    console.log(`${TABLE_HEAD}\n${runs.map(row).join("\n")}\n\n${cpu}`);
    console.log(
      "| reads, processes (connections) | req/s here, / one | server CPU ms per read (all processes) | MariaDB ms per read | load generator ms per read | projected / one, a core per server process |\n|---|---|---|---|---|---|",
    );
    for (const kind of ["cached", "executed"]) {
      const mean = (config: string, f: (r: Run) => number) => {
        const picked = runs.filter((r) => r.label.startsWith(`${kind}, ${config} #`));
        return picked.reduce((sum, r) => sum + f(r), 0) / picked.length;
      };
      const server = (r: Run) => r.cpu["server A"]! + r.cpu["server B"]!;
      const [oneRps, oneServer] = [mean(configs[0]![0], (r) => r.rps), mean(configs[0]![0], server)];
      const f = (n: number) => n.toFixed(3);
      configs.forEach(([config], i) => {
        const s2 = mean(config, server);
        const processes = i === 0 ? 1 : 2;
        console.log(
          `| ${kind}, ${config} | ${mean(config, (r) => r.rps).toFixed(0)}, ${(mean(config, (r) => r.rps) / oneRps).toFixed(2)}× | ${f(s2)} | ${f(mean(config, (r) => r.cpu.mariadb!))} | ${f(mean(config, (r) => r.cpu["load generator"]!))} | ${((processes * oneServer) / s2).toFixed(2)}× |`,
        );
      });
    }
    console.log("\n(target: two processes ≥ 1.7× the reads of one when the load generator is not the bottleneck)");
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all([mariadb.stop(), redis.stop()]);
  }
}

/** CPU ms used so far by each process. */
function snapshot(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
}

if (require.main === module) runBench(main);

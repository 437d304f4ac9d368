/**
 * What authentication costs: `{ __typename }` with a valid key (`Authorization: Bearer`) on a
 * server with authentication on, against the same query on a server with WAYMARK_AUTH=off, both
 * on one MariaDB, in interleaved rounds of one run; ratio of req/s. The query touches no data,
 * so what differs is resolving the key. `--profile` runs the auth-on load once more under
 * --cpu-prof and prints the top frames.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CpuTable } from "./lib/cpu";
import { authHeader, conditions, freshDatabase, machine, startMariaDb, startServer, runBench } from "./lib/infra";
import { TABLE_HEAD, hammer, row, type LoadResult } from "./lib/load";
import { summariseProfile } from "./lib/profile";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const TRIVIAL = JSON.stringify({ query: "{ __typename }" });
const OFF = { WAYMARK_AUTH: "off" };
const ON = { WAYMARK_AUTH: "on" };

async function main() {
  const seconds = arg("seconds", 8);
  const rounds = arg("rounds", 3);
  const connections = arg("connections", 10);
  console.log(`Authentication cost on ${machine()}; ${rounds} rounds × ${seconds} s per server, ${connections} connections; ${conditions()}\n`);
  const mariadb = await startMariaDb();
  const dbUrl = await freshDatabase(mariadb.url, "bench_auth");
  const on = await startServer({ DATABASE_URL: dbUrl, ...ON });
  const off = await startServer({ DATABASE_URL: dbUrl, ...OFF });
  try {
    const opts = (env: Record<string, string>) => ({ seconds, connections, headers: authHeader(env) });
    await hammer("warm-up", on.url, TRIVIAL, { ...opts(ON), seconds: 3 });
    await hammer("warm-up", off.url, TRIVIAL, { ...opts(OFF), seconds: 3 });
    const cpu = new CpuTable({ server: on.pid, mariadb: mariadb.process.pid!, "load generator": process.pid });
    const results: LoadResult[] = [];
    for (let r = 1; r <= rounds; r++) {
      results.push(await cpu.measure(() => hammer(`auth on, valid key #${r}`, on.url, TRIVIAL, opts(ON))));
      results.push(await cpu.measure(() => hammer(`auth off #${r}`, off.url, TRIVIAL, opts(OFF)), { server: off.pid }));
    }
    const mean = (prefix: string) => {
      const picked = results.filter((x) => x.label.startsWith(prefix));
      return picked.reduce((s, x) => s + x.rps, 0) / picked.length;
    };
    console.log(`${TABLE_HEAD}\n${results.map(row).join("\n")}\n\n${cpu}`);
    // Each round's pair ran back to back: their ratio moves less with the machine's load than the means do.
    const pairs = Array.from({ length: rounds }, (_, i) => results[2 * i]!.rps / results[2 * i + 1]!.rps).sort((a, b) => a - b);
    const median = pairs.length % 2 ? pairs[(pairs.length - 1) / 2]! : (pairs[pairs.length / 2 - 1]! + pairs[pairs.length / 2]!) / 2;
    console.log(
      `Auth ratio on/off: ${(mean("auth on") / mean("auth off")).toFixed(3)} by mean req/s, ${median.toFixed(3)} median of the rounds ` +
        `(${pairs.map((p) => p.toFixed(2)).join(", ")}) (target ≥ 0.9)`,
    );
    if (process.argv.includes("--profile")) {
      await on.stop();
      const dir = mkdtempSync(join(tmpdir(), "waymark-prof-"));
      const profiled = await startServer({ DATABASE_URL: dbUrl, ...ON }, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
      await hammer("warm-up", profiled.url, TRIVIAL, { ...opts(ON), seconds: 3 });
      console.log(row(await hammer("auth on (profiled)", profiled.url, TRIVIAL, opts(ON))));
      await profiled.stop();
      console.log(`\n${summariseProfile(dir)}`);
    }
  } finally {
    await Promise.all([on.stop(), off.stop()]);
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

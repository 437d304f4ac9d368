/**
 * B3: a history page as the store grows. One store of a single deployment of 100 versions,
 * another of 1,000,000 versions across 1,000 deployments (seeded in SQL), each behind its own
 * server on one MariaDB; the first page and a deep page reached by cursor (the page after
 * version 41: 959 rows deep in a large deployment), one request at a time with the two stores
 * interleaved, so each pair meets the same load. The large side reads a different deployment
 * every request. Two paths: executed (the selection includes `viewerCanRollback`, which the
 * history cache never answers, so the SQL is run every time) and answered from the validated
 * cache (by id, warmed). The plans of the statements the large side runs are printed.
 */
import { createConnection } from "mysql2/promise";
import { CpuTable } from "./lib/cpu";
import { authHeader, conditions, freshDatabase, machine, startMariaDb, startServer, runBench, type ServerProcess } from "./lib/infra";
import { pairedLatency, type PairedBody } from "./lib/load";
import { seedDeployment, seedStore } from "./lib/seed";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const NODE = "number version isLive sourceInfo { type commitSha branch repository url message } codePin { commitSha imageDigest pinned warnings }";
const PAGE = `versions(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${NODE} } } }`;
const EXECUTED = `query P($name: String!, $after: String) { deploymentByName(flowName: "etl", name: $name) { viewerCanRollback ${PAGE} } }`;
const CACHED = `query P($id: ID!, $after: String) { deployment(id: $id) { ${PAGE} } }`;
const cursorAfter = (number: number) => Buffer.from(JSON.stringify(["version", number])).toString("base64url");
const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

/** The SELECTs MariaDB ran while `run` sent its requests (its general log), each with its plan on this database. */
async function statementsAndPlans(dbUrl: string, run: () => Promise<void>): Promise<string[]> {
  const c = await createConnection({ uri: dbUrl });
  try {
    await c.query("TRUNCATE mysql.general_log");
    await c.query("SET GLOBAL log_output = 'TABLE', general_log = 1");
    await run();
    await c.query("SET GLOBAL general_log = 0");
    const [logged] = await c.query(
      "SELECT CONVERT(argument USING utf8mb4) AS sql_text FROM mysql.general_log WHERE command_type IN ('Query', 'Execute') AND argument LIKE 'SELECT%' AND argument NOT LIKE '%general_log%'",
    );
    const lines: string[] = [];
    for (const { sql_text: sql } of logged as Array<{ sql_text: string }>) {
      const [plan] = await c.query(`EXPLAIN ${sql}`);
      const steps = (plan as Array<Record<string, unknown>>).map(
        (r) => `${String(r.table)}: type=${String(r.type)} key=${String(r.key)} rows=${String(r.rows)} extra=${String(r.Extra ?? "")}`,
      );
      lines.push(`- \`${sql.replace(/\s+/g, " ").slice(0, 240)}\`\n  → ${steps.join("; ")}`);
    }
    return lines;
  } finally {
    await c.end();
  }
}

/**
 * Pages InnoDB had to read from disk (not found in its buffer pool) per request, for `requests`
 * requests of one side alone: a counter, so unlike a latency it does not depend on the load.
 */
async function bufferPoolMisses(dbUrl: string, requests: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const c = await createConnection({ uri: dbUrl });
  const reads = async () => Number(((await c.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'"))[0] as Array<{ Value: string }>)[0]!.Value);
  try {
    const before = await reads();
    for (let i = 0; i < requests; i++) await send(i);
    return ((await reads()) - before) / requests;
  } finally {
    await c.end();
  }
}

/** The store's size on disk and InnoDB's buffer pool, in MB, as printed with the figures. */
async function sizes(dbUrl: string): Promise<string> {
  const c = await createConnection({ uri: dbUrl });
  try {
    const [[store]] = (await c.query(
      "SELECT SUM(data_length + index_length) / 1048576 AS mb FROM information_schema.TABLES WHERE table_schema = DATABASE()",
    )) as unknown as [[{ mb: number }]];
    const [[pool]] = (await c.query("SELECT @@innodb_buffer_pool_size / 1048576 AS mb")) as unknown as [[{ mb: number }]];
    return `store ${Math.round(Number(store.mb))} MB on disk, buffer pool ${Math.round(Number(pool.mb))} MB`;
  } finally {
    await c.end();
  }
}

async function main() {
  const rounds = arg("rounds", 500);
  const [deployments, versions] = [arg("deployments", 1000), arg("versions", 1000)];
  const largeLabel = `${((deployments * versions) / 1e6).toFixed(1)}M`;
  console.log(`B3 on ${machine()}; ${rounds} interleaved pairs per case; ${conditions()}\n`);
  const mariadb = await startMariaDb();
  const [smallDb, largeDb] = [await freshDatabase(mariadb.url, "bench_b3_small"), await freshDatabase(mariadb.url, "bench_b3_large")];
  const small = await startServer({ DATABASE_URL: smallDb });
  let large: ServerProcess = await startServer({ DATABASE_URL: largeDb });
  try {
    const smallId = await seedDeployment(small.url, smallDb, "small", 100);
    const t0 = Date.now();
    const largeIds = await seedStore(large.url, largeDb, deployments, versions);
    console.log(`seeded ${deployments} deployments × ${versions} versions in SQL in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    // A fresh process, as after a restart: nothing of the seeding's template held in memory.
    await large.stop();
    large = await startServer({ DATABASE_URL: largeDb });
    const name = (i: number) => `d${String(i % deployments).padStart(4, "0")}`;
    const cases: Array<[string, PairedBody, PairedBody]> = [
      ["first page, executed", body(EXECUTED, { name: "small" }), (i) => body(EXECUTED, { name: name(i) })],
      ["deep page, executed", body(EXECUTED, { name: "small", after: cursorAfter(41) }), (i) => body(EXECUTED, { name: name(i), after: cursorAfter(41) })],
      ["first page, cached by id", body(CACHED, { id: smallId }), (i) => body(CACHED, { id: largeIds[i % deployments] })],
      [
        "deep page, cached by id",
        body(CACHED, { id: smallId, after: cursorAfter(41) }),
        (i) => body(CACHED, { id: largeIds[i % deployments], after: cursorAfter(41) }),
      ],
    ];
    const headers = authHeader();
    console.log(`Plans of the statements the ${largeLabel} store's server ran for one request of each case:\n`);
    const plans = await statementsAndPlans(largeDb, async () => {
      for (const [, , b] of cases) await pairedLatency([large.url, large.url], b, b, { rounds: 1, headers });
    });
    console.log(`${plans.join("\n")}\n`);
    // Resized once the plans are read (MariaDB's general log came back empty after a resize).
    const bufferPoolMb = arg("buffer-pool", 0);
    if (bufferPoolMb > 0) {
      const c = await createConnection({ uri: largeDb });
      await c.query(`SET GLOBAL innodb_buffer_pool_size = ${bufferPoolMb * 1024 * 1024}`);
      await c.end();
    }
    console.log(`${await sizes(largeDb)}\n`);
    // Warm-up: every body of both sides once (fills the cached path's answers and the buffer pool).
    for (const [, a, b] of cases) await pairedLatency([small.url, large.url], a, b, { rounds: Math.max(deployments, 50), headers });
    const misses: string[] = [];
    for (const [label, a, b] of cases) {
      const send = (url: string, body: PairedBody) => async (i: number) => {
        const response = await fetch(url, {
          method: "POST",
          body: typeof body === "string" ? body : body(i),
          headers: { "content-type": "application/json", ...headers },
        });
        await response.text();
      };
      // One request per large deployment, each once, as in the measured pairs.
      const [ma, mb] = [await bufferPoolMisses(smallDb, 200, send(small.url, a)), await bufferPoolMisses(largeDb, deployments, send(large.url, b))];
      misses.push(`| ${label} | ${ma.toFixed(2)} | ${mb.toFixed(2)} |`);
    }
    console.log(`| InnoDB pages read from disk per request (each side alone) | 100 | ${largeLabel} |\n|---|---|---|\n${misses.join("\n")}\n`);
    const cpu = new CpuTable(
      { "server 100": small.pid, [`server ${largeLabel}`]: large.pid, mariadb: mariadb.process.pid!, "load generator": process.pid },
      "pair (each server's: its own request)",
    );
    const f = (n: number) => n.toFixed(2);
    const lines: string[] = [];
    for (const [label, a, b] of cases) {
      const { r } = await cpu.measure(async () => {
        const r = await pairedLatency([small.url, large.url], a, b, { rounds, headers });
        return { label, requests: rounds, r };
      });
      lines.push(
        `| ${label} | ${f(r.a.p50)} | ${f(r.b.p50)} | ${f(r.a.p90)} | ${f(r.b.p90)} | ${r.medianRatio.toFixed(3)} | ${r.pairRatioMedian.toFixed(3)} |`,
      );
    }
    console.log(
      `| latency, one at a time, ${rounds} interleaved pairs | p50 100 ms | p50 ${largeLabel} ms | p90 100 ms | p90 ${largeLabel} ms | ratio of p50s | median pair ratio |\n|---|---|---|---|---|---|---|\n${lines.join("\n")}\n`,
    );
    console.log(`${cpu}\n(the target: ${largeLabel}/100 latency ≤ 1.2)`);
  } finally {
    await large.stop();
    await small.stop();
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

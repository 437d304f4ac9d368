/**
 * B3/B4 for the audit log and liveAt: a page of the workspace audit log (unfiltered, and by
 * flow) and liveAt/livePeriods on a deployment, at 100 entries against 100,000. The large
 * sides are seeded in SQL (audit entries and live-log moves copied from real ones), so the
 * comparison is of the keyset and point lookups on their indexes, not of seeding.
 */
import { createConnection } from "mysql2/promise";
import { authHeader, freshDatabase, machine, startMariaDb, startServer, runBench } from "./lib/infra";
import { TABLE_HEAD, hammer, pairedLatency, row, type LoadResult } from "./lib/load";
import { seedDeployment } from "./lib/seed";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const AUDIT = `query A($flow: String) { auditLog(first: 20, filter: { flowName: $flow }) { pageInfo { hasNextPage endCursor } edges { node { kind at actor flowName deploymentName versionId details } } } }`;
// viewerCanRollback is about the key, so the history cache never answers this read: liveAt and
// livePeriods run their statements on every request.
const LIVE_AT = `query L($name: String!, $t: DateTime!) { deploymentByName(flowName: "etl", name: $name) { viewerCanRollback liveAt(time: $t) { number } livePeriods(first: 20) { edges { node { from to startedBy version { number } } } } } }`;

/** `count` audit entries and live-log moves for the deployment, one second apart, in SQL. */
async function seedHistory(dbUrl: string, deploymentId: string, flow: string, count: number): Promise<void> {
  const key = Number(deploymentId.slice("dep_".length));
  const c = await createConnection({ uri: dbUrl, multipleStatements: true });
  try {
    for (let from = 1; from <= count; from += 50_000) {
      const to = Math.min(count, from + 49_999);
      await c.query(
        `INSERT INTO audit_entry (workspace_id, kind, deployment_id, flow_name, deployment_name, version_id, actor, at, details)
         SELECT a.workspace_id, a.kind, a.deployment_id, ?, a.deployment_name, a.version_id, a.actor, a.at - (? - s.seq) * 1000, a.details
         FROM audit_entry a JOIN seq_${from}_to_${to} s WHERE a.deployment_id = ? AND a.kind = 'VERSION_CREATED' LIMIT ${to - from + 1}`,
        [flow, count, key],
      );
      await c.query(
        `INSERT INTO live_version_change (workspace_id, sequence, kind, deployment_id, previous_version_id, live_version_id, actor, reason, at)
         SELECT c.workspace_id, 1000000000 + ? * 1000000 + s.seq, 'ROLLBACK', c.deployment_id, c.live_version_id, c.live_version_id, c.actor, NULL, c.at - (? - s.seq) * 1000
         FROM live_version_change c JOIN seq_${from}_to_${to} s WHERE c.deployment_id = ? AND c.kind = 'CREATE' LIMIT ${to - from + 1}`,
        [key, count, key],
      );
    }
    await c.query("ANALYZE TABLE audit_entry, live_version_change");
  } finally {
    await c.end();
  }
}

/** The plans of the statements measured, on the large side: each must be an index range, never a sort of the history. */
async function explain(dbUrl: string, deploymentId: string): Promise<void> {
  const key = Number(deploymentId.slice("dep_".length));
  const c = await createConnection({ uri: dbUrl });
  try {
    const statements: Array<[string, unknown[]]> = [
      ["SELECT id FROM audit_entry WHERE workspace_id = 1 AND flow_name = ? ORDER BY at DESC, id DESC LIMIT 21", ["large-flow"]],
      [
        "SELECT live_version_id FROM live_version_change WHERE deployment_id = ? AND at <= ? ORDER BY at DESC, sequence DESC LIMIT 1",
        [key, Date.now() - 50_000],
      ],
      ["SELECT sequence FROM live_version_change WHERE deployment_id = ? AND kind IN ('CREATE', 'ROLLBACK', 'PROMOTE') ORDER BY sequence DESC LIMIT 21", [key]],
    ];
    for (const [sql, params] of statements) {
      const [rows] = await c.query(`EXPLAIN ${sql}`, params);
      const plan = (rows as Array<Record<string, unknown>>).map((r) => `key=${String(r.key)} rows=${String(r.rows)} extra=${String(r.Extra)}`).join("; ");
      console.log(`plan: ${sql.slice(0, 60)}… → ${plan}`);
    }
  } finally {
    await c.end();
  }
}

async function main() {
  const seconds = arg("seconds", 5);
  const connections = arg("connections", 4);
  console.log(`B6 (audit log, liveAt) on ${machine()}; ${seconds} s per run, ${connections} connections\n`);
  const mariadb = await startMariaDb();
  const dbUrl = await freshDatabase(mariadb.url, "bench_b6");
  const server = await startServer({ DATABASE_URL: dbUrl });
  try {
    const small = await seedDeployment(server.url, dbUrl, "small", 1);
    const large = await seedDeployment(server.url, dbUrl, "large", 1);
    await seedHistory(dbUrl, small, "small-flow", 100);
    await seedHistory(dbUrl, large, "large-flow", 100_000);
    await explain(dbUrl, large);
    const opts = { seconds, connections, headers: authHeader() };
    const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
    const t = new Date(Date.now() - 50_000).toISOString();
    const cases: Array<[string, string]> = [
      ["100 audit page by flow", body(AUDIT, { flow: "small-flow" })],
      ["100k audit page by flow", body(AUDIT, { flow: "large-flow" })],
      ["100 liveAt + livePeriods", body(LIVE_AT, { name: "small", t })],
      ["100k liveAt + livePeriods", body(LIVE_AT, { name: "large", t })],
    ];
    for (const [, b] of cases) await hammer("warm-up", server.url, b, { ...opts, seconds: 1 });
    const results: LoadResult[] = [];
    for (const [label, b] of cases) results.push(await hammer(label, server.url, b, opts));
    console.log(`${TABLE_HEAD}\n${results.map(row).join("\n")}\n`);
    const by = (label: string) => results.find((r) => r.label === label)!;
    for (const kind of ["audit page by flow", "liveAt + livePeriods"]) {
      const [a, b] = [by(`100 ${kind}`), by(`100k ${kind}`)];
      console.log(`B6 ${kind}: throughput ratio 100/100k = ${(a.rps / b.rps).toFixed(3)} at ${connections} connections, p50 ${b.p50}/${a.p50} ms`);
    }
    // The target is about latency: measured one request at a time, 100 and 100k interleaved, so
    // both sides meet the same load on a shared machine.
    const rounds = arg("rounds", 1000);
    console.log(
      `\n| latency, one at a time, ${rounds} interleaved pairs | p50 100 ms | p50 100k ms | p90 100 ms | p90 100k ms | ratio of p50s | median pair ratio |\n|---|---|---|---|---|---|---|`,
    );
    for (const [kind, small, large] of [
      ["audit page by flow", cases[0]![1], cases[1]![1]],
      ["liveAt + livePeriods", cases[2]![1], cases[3]![1]],
    ] as const) {
      const r = await pairedLatency(server.url, small, large, { rounds, headers: authHeader() });
      const f = (n: number) => n.toFixed(2);
      console.log(
        `| ${kind} | ${f(r.a.p50)} | ${f(r.b.p50)} | ${f(r.a.p90)} | ${f(r.b.p90)} | ${r.medianRatio.toFixed(3)} | ${r.pairRatioMedian.toFixed(3)} |`,
      );
    }
  } finally {
    await server.stop();
    await mariadb.stop();
  }
}

runBench(main);

/**
 * B2: createVersion, and rollback/promote (alternating), through the server against raw mysql2
 * doing the same transaction on the same schema, in the same run: lock the deployment row FOR
 * UPDATE, insert the version or read the target, bump the workspace counter, append the log,
 * move the pointer. `workers` clients, each on its own deployment of one workspace.
 */
import { createConnection, createPool } from "mysql2/promise";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authHeader, post, HTTP_CLIENT, conditions, freshDatabase, gql, machine, startMariaDb, startServer, runBench, type ServerProcess } from "./lib/infra";
import { summariseInclusive, summariseProfile } from "./lib/profile";
import { cpuPerRequest } from "./lib/cpu";
import { TABLE_HEAD, closedLoop, row, type LoadResult } from "./lib/load";
import { CREATE, versionInput } from "./lib/seed";
import { startBareFront } from "./lib/bare-front";
import { rawCreate, rawCreateServerShape, rawMove, rawMoveServerShape, type Row } from "./lib/raw-writes";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const ROLLBACK = `mutation R($id: ID!) { rollback(input: { deploymentId: $id }) { change { sequence } } }`;
const PROMOTE = `mutation P($id: ID!) { promote(input: { deploymentId: $id }) { change { sequence } } }`;
const CREATE_SMALL = `mutation C($input: CreateVersionInput!) { createVersion(input: $input) { version { id number } change { sequence } } }`;

/** The statements MariaDB received while `run` ran (its general log), one a line. */
async function statementsOf(dbUrl: string, run: () => Promise<void>): Promise<string> {
  const c = await createConnection({ uri: dbUrl });
  try {
    await c.query("TRUNCATE mysql.general_log");
    await c.query("SET GLOBAL log_output = 'TABLE', general_log = 1");
    await run();
    await c.query("SET GLOBAL general_log = 0");
    const [rows] = await c.query<Row[]>(
      "SELECT command_type, CONVERT(argument USING utf8mb4) AS text FROM mysql.general_log WHERE command_type IN ('Query', 'Execute', 'Prepare') AND argument NOT LIKE '%general_log%' AND argument NOT LIKE '%api_key%'",
    );
    return rows.map((r, i) => `${i + 1}. ${String(r.command_type)}: \`${String(r.text).replace(/\s+/g, " ").slice(0, 160)}\``).join("\n");
  } finally {
    await c.end();
  }
}

/**
 * `--servers=2`: the same server runs again as two processes on the same MariaDB, each worker
 * always on the same one (its deployment's), against the raw runs measured before. The server
 * keeps no state between requests, so this is the scale-out a production deployment would use.
 */
async function twoServers(
  dbUrl: string,
  first: ServerProcess,
  mariadbPid: number,
  run: { rc: LoadResult; rm: LoadResult; opts: readonly [number, number, number]; input: (w: number) => object; ids: string[] },
): Promise<void> {
  const second = await startServer({ DATABASE_URL: dbUrl });
  try {
    const urls = [first.url, second.url];
    const pids = { server: first.pid, server2: second.pid, mariadb: mariadbPid, bench: process.pid };
    const rows: string[] = [];
    const cpu: string[] = [];
    const loads: Array<[string, (w: number, i: number) => Promise<void>]> = [
      ["two server processes, createVersion", (w) => post(urls[w % 2]!, CREATE_SMALL, { input: run.input(w) })],
      ["two server processes, rollback/promote", (w, i) => post(urls[w % 2]!, i % 2 === 0 ? ROLLBACK : PROMOTE, { id: run.ids[w] })],
    ];
    const results: LoadResult[] = [];
    for (const [label, load] of loads) {
      const { result, perRequest } = await cpuPerRequest(pids, () => closedLoop(label, ...run.opts, load));
      results.push(result);
      rows.push(row(result));
      const servers = perRequest.server! + perRequest.server2!;
      cpu.push(`| ${label} | ${[servers, perRequest.mariadb!, perRequest.bench!].map((ms) => ms.toFixed(2)).join(" | ")} |`);
    }
    console.log(`${TABLE_HEAD}\n${rows.join("\n")}\n`);
    console.log(`CPU ms per request (server: both processes):\n\n| run | server | mariadb | bench process |\n|---|---|---|---|\n${cpu.join("\n")}\n`);
    const [c, m] = results as [LoadResult, LoadResult];
    console.log(
      `B2 with two server processes: createVersion ${(c.rps / run.rc.rps).toFixed(3)}× raw, rollback/promote ${(m.rps / run.rm.rps).toFixed(3)}× raw`,
    );
  } finally {
    await second.stop();
  }
}

async function main() {
  const seconds = arg("seconds", 8);
  const workers = arg("workers", 10);
  console.log(
    `B2 on ${machine()}; ${seconds} s per run, ${workers} workers (one deployment each), mysql2 pool of 10; load generator ${HTTP_CLIENT}; ${conditions()}\n`,
  );
  const mariadb = await startMariaDb();
  const dbUrl = await freshDatabase(mariadb.url, "bench_b2");
  let server = await startServer({ DATABASE_URL: dbUrl });
  const pool = createPool({ uri: dbUrl, connectionLimit: 10 });
  // The same raw client in the server's statement shape, on its own pool whose sessions are
  // READ COMMITTED from the start.
  const shapedPool = createPool({ uri: dbUrl, connectionLimit: 10 });
  shapedPool.on("connection", (c) => c.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  try {
    const ids: string[] = [];
    for (let w = 0; w < workers; w++) {
      await gql(server.url, CREATE, { input: versionInput({ flowName: "b2", name: `d${w}` }) }, authHeader());
      const created = await gql(server.url, CREATE, { input: versionInput({ flowName: "b2", name: `d${w}` }) }, authHeader());
      ids.push(created.createVersion.deployment.id);
    }
    const keys = ids.map((id) => Number(id.slice(4)));
    const [[meta]] = await pool.query<Row[]>("SELECT workspace_id FROM deployment WHERE id = ?", [keys[0]]);
    const [[template]] = await pool.query<Row[]>("SELECT * FROM deployment_version WHERE deployment_id = ? LIMIT 1", [keys[0]]);
    const create = rawCreate(pool, meta!.workspace_id, template!);
    const move = rawMove(pool, meta!.workspace_id);
    const createShaped = rawCreateServerShape(shapedPool, meta!.workspace_id, template!);
    const moveShaped = rawMoveServerShape(shapedPool, meta!.workspace_id);
    const input = (w: number) => ({ ...versionInput(), deploymentId: ids[w] });
    const opts = [workers, seconds, 200_000] as const;
    const results: LoadResult[] = [];
    // Where the two cores go: CPU ms per request of the server, MariaDB and this process
    // (the load generator, and the raw client itself on the raw runs).
    const cpu: string[] = [];
    const measured = async (run: () => Promise<LoadResult>, pids = { server: server.pid, mariadb: mariadb.process.pid!, bench: process.pid }) => {
      const { result, perRequest } = await cpuPerRequest(pids, run);
      results.push(result);
      cpu.push(
        `| ${result.label} | ${Object.values(perRequest)
          .map((ms) => ms.toFixed(2))
          .join(" | ")} |`,
      );
    };
    await measured(() => closedLoop("raw mysql2 create", ...opts, (w) => create(keys[w]!)));
    await measured(() => closedLoop("server createVersion", ...opts, (w) => post(server.url, CREATE_SMALL, { input: input(w) })));
    await measured(() => closedLoop("raw mysql2 rollback/promote", ...opts, (w, i) => move(keys[w]!, i % 2 === 0 ? "ROLLBACK" : "PROMOTE")));
    await measured(() => closedLoop("server rollback/promote", ...opts, (w, i) => post(server.url, i % 2 === 0 ? ROLLBACK : PROMOTE, { id: ids[w] })));
    await measured(() => closedLoop("raw mysql2 create, server's statements", ...opts, (w) => createShaped(keys[w]!)));
    await measured(() =>
      closedLoop("raw mysql2 rollback/promote, server's statements", ...opts, (w, i) => moveShaped(keys[w]!, i % 2 === 0 ? "ROLLBACK" : "PROMOTE")),
    );
    // The ceiling of any server on these cores: a bare HTTP front doing only these statements.
    const bare = await startBareFront(dbUrl, meta!.workspace_id);
    try {
      const front = { server: bare.pid, mariadb: mariadb.process.pid!, bench: process.pid };
      for (const [label, load] of [
        ["bare HTTP front create, server's statements", (w: number) => post(bare.url, CREATE_SMALL, { input: input(w) })],
        ["bare HTTP front rollback/promote, server's statements", (w: number, i: number) => post(bare.url, i % 2 === 0 ? ROLLBACK : PROMOTE, { id: ids[w] })],
      ] as const) {
        await measured(() => closedLoop(label, ...opts, load), front);
      }
    } finally {
      await bare.stop();
    }
    console.log(`${TABLE_HEAD}\n${results.map(row).join("\n")}\n`);
    console.log(`CPU ms per request:\n\n| run | server | mariadb | bench process |\n|---|---|---|---|\n${cpu.join("\n")}\n`);
    const [rc, sc, rm, sm, rcs, rms, bc, bm] = results as [LoadResult, LoadResult, LoadResult, LoadResult, LoadResult, LoadResult, LoadResult, LoadResult];
    console.log(`B2 createVersion: ${(sc.rps / rc.rps).toFixed(3)}× raw (target ≥ 0.7); rollback/promote: ${(sm.rps / rm.rps).toFixed(3)}× raw`);
    console.log(
      `Against the raw client in the server's statement shape: createVersion ${(sc.rps / rcs.rps).toFixed(3)}×, rollback/promote ${(sm.rps / rms.rps).toFixed(3)}×`,
    );
    console.log(
      `The bare HTTP front (no GraphQL, no authentication, the server's statements): createVersion ${(bc.rps / rc.rps).toFixed(3)}× raw, rollback/promote ${(bm.rps / rm.rps).toFixed(3)}× raw; the server reaches ${(sc.rps / bc.rps).toFixed(3)}× and ${(sm.rps / bm.rps).toFixed(3)}× of it`,
    );
    if (arg("servers", 1) === 2) await twoServers(dbUrl, server, mariadb.process.pid!, { rc, rm, opts, input, ids });
    if (process.argv.includes("--statements")) {
      console.log(
        `Statements of one createVersion through the server:\n${await statementsOf(dbUrl, () => post(server.url, CREATE_SMALL, { input: input(0) }))}`,
      );
      console.log(`Statements of one raw mysql2 create:\n${await statementsOf(dbUrl, () => create(keys[0]!))}`);
      console.log(`Statements of one raw mysql2 create in the server's shape:\n${await statementsOf(dbUrl, () => createShaped(keys[0]!))}`);
    }
    if (process.argv.includes("--profile")) {
      await server.stop();
      const dir = mkdtempSync(join(tmpdir(), "waymark-prof-"));
      server = await startServer({ DATABASE_URL: dbUrl }, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
      console.log(row(await closedLoop("server createVersion (profiled)", ...opts, (w) => post(server.url, CREATE_SMALL, { input: input(w) }))));
      await server.stop();
      console.log(`\n${summariseProfile(dir)}\n${summariseInclusive(dir, 40)}\n${summariseInclusive(dir, 25, (o) => o !== "waymark src")}\nprofile: ${dir}`);
    }
  } finally {
    await pool.end();
    await shapedPool.end();
    await server.stop();
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

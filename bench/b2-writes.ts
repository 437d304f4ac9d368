/**
 * B2: createVersion, and rollback/promote (alternating), through the server against raw mysql2
 * doing the same transaction on the same schema, in the same run: lock the deployment row FOR
 * UPDATE, insert the version or read the target, bump the workspace counter, append the log,
 * move the pointer. `workers` clients, each on its own deployment of one workspace.
 */
import { createConnection, createPool, type Pool, type PoolConnection, type RowDataPacket, type ResultSetHeader } from "mysql2/promise";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authHeader, post, HTTP_CLIENT, conditions, freshDatabase, gql, machine, startMariaDb, startServer, runBench, type ServerProcess } from "./lib/infra";
import { summariseInclusive, summariseProfile } from "./lib/profile";
import { cpuPerRequest } from "./lib/cpu";
import { TABLE_HEAD, closedLoop, row, type LoadResult } from "./lib/load";
import { CREATE, versionInput } from "./lib/seed";
import { outboxStatement } from "../src/webhook/outbox";
import { BAD_VERSION_IDS } from "../src/release/version-flag.entity";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const ROLLBACK = `mutation R($id: ID!) { rollback(input: { deploymentId: $id }) { change { sequence } } }`;
const PROMOTE = `mutation P($id: ID!) { promote(input: { deploymentId: $id }) { change { sequence } } }`;
const CREATE_SMALL = `mutation C($input: CreateVersionInput!) { createVersion(input: $input) { version { id number } change { sequence } } }`;

async function inTransaction(pool: Pool, work: (c: PoolConnection) => Promise<void>): Promise<void> {
  const c = await pool.getConnection();
  try {
    await c.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    await c.query("START TRANSACTION");
    await work(c);
    await c.query("COMMIT");
  } catch (error) {
    await c.query("ROLLBACK");
    throw error;
  } finally {
    c.release();
  }
}

type Row = RowDataPacket & Record<string, any>;
const first = async (c: PoolConnection, sql: string, params: any[]) => (await c.execute<Row[]>(sql, params))[0][0]!;

async function appendAndMove(c: PoolConnection, d: Row, kind: string, previous: number, live: number, at: number, lastNumber: number) {
  await c.execute("UPDATE workspace SET last_sequence = last_sequence + 1 WHERE id = ?", [d.workspace_id]);
  const { last_sequence } = await first(c, "SELECT id, last_sequence FROM workspace WHERE id = ?", [d.workspace_id]);
  await c.execute(
    "INSERT INTO live_version_change (workspace_id, sequence, kind, deployment_id, previous_version_id, live_version_id, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [d.workspace_id, last_sequence, kind, d.id, previous, live, "anonymous", null, at],
  );
  await c.execute("UPDATE deployment SET last_number = ?, live_version_id = ?, updated_at = ? WHERE id = ?", [lastNumber, live, at, d.id]);
}

const lock = (c: PoolConnection, workspace: number, id: number) =>
  first(c, "SELECT * FROM deployment WHERE workspace_id = ? AND id = ? FOR UPDATE", [workspace, id]);

/** The raw createVersion: the columns the server writes, with a precomputed content hash. */
function rawCreate(pool: Pool, workspace: number, template: Row) {
  return (id: number) =>
    inTransaction(pool, async (c) => {
      const d = await lock(c, workspace, id);
      const number = d.last_number + 1;
      const at = Date.now();
      const cols = Object.keys(template).filter((k) => k !== "id");
      const values = cols.map((k) =>
        k === "deployment_id" ? id : k === "number" ? number : k === "version" ? `v${number}` : k === "created_at" ? at : template[k],
      );
      const [inserted] = await c.execute<ResultSetHeader>(
        `INSERT INTO deployment_version (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
        values as any[],
      );
      await appendAndMove(c, d, "CREATE", d.live_version_id, inserted.insertId, at, number);
    });
}

function rawMove(pool: Pool, workspace: number) {
  return (id: number, kind: "ROLLBACK" | "PROMOTE") =>
    inTransaction(pool, async (c) => {
      const d = await lock(c, workspace, id);
      const live = await first(c, "SELECT * FROM deployment_version WHERE id = ?", [d.live_version_id]);
      const target =
        kind === "ROLLBACK"
          ? await first(c, "SELECT * FROM deployment_version WHERE deployment_id = ? AND number < ? ORDER BY number DESC LIMIT 1", [id, live.number])
          : await first(c, "SELECT * FROM deployment_version WHERE deployment_id = ? AND number = ?", [id, d.last_number]);
      await appendAndMove(c, d, kind, live.id, target.id, Date.now(), d.last_number);
    });
}

/**
 * The statements the server sends (src/db/mysql-store.ts), in its order and with its waits: READ
 * COMMITTED set once per session, START TRANSACTION not awaited, the lock, the work's statements,
 * then the head of the tail (the audit entry and the deployment's compare-and-set on its revision)
 * awaited, and the rest (counter, log entry reading LAST_INSERT_ID(), the webhook outbox rows) and
 * COMMIT sent without waiting in between. What this costs MariaDB and a client with no HTTP or
 * GraphQL in front is the server's floor.
 */
async function inServerShape(pool: Pool, work: (c: PoolConnection) => Promise<Tail>): Promise<void> {
  const c = await pool.getConnection();
  try {
    void c.query("START TRANSACTION");
    const { head, rest } = await work(c);
    const [, updated] = (await Promise.all(head.map(([sql, params]) => c.execute<ResultSetHeader>(sql, params)))).map(([r]) => r);
    if (updated!.affectedRows !== 1) throw new Error("the deployment's revision moved under its lock");
    await Promise.all([...rest.map(([sql, params]) => c.execute(sql, params)), c.query("COMMIT")]);
  } catch (error) {
    await c.query("ROLLBACK");
    throw error;
  } finally {
    c.release();
  }
}

interface Tail {
  head: Array<[string, any[]]>;
  rest: Array<[string, any[]]>;
}

function tailOf(d: Row, kind: "CREATE" | "ROLLBACK" | "PROMOTE", previous: number, live: number, at: number, lastNumber: number, details: object): Tail {
  const change = {
    workspaceId: d.workspace_id,
    deploymentId: d.id,
    kind,
    previousVersionId: previous,
    liveVersionId: live,
    actor: "anonymous",
    reason: null,
    at: new Date(at),
  };
  return {
    head: [
      [
        "INSERT INTO audit_entry (workspace_id, kind, deployment_id, flow_name, deployment_name, version_id, actor, at, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [d.workspace_id, kind === "CREATE" ? "VERSION_CREATED" : "LIVE_MOVED", d.id, d.flow_name, d.name, live, "anonymous", at, JSON.stringify(details)],
      ],
      [
        "UPDATE deployment SET last_number = ?, live_version_id = ?, updated_at = ?, revision = revision + 1 WHERE id = ? AND revision = ?",
        [lastNumber, live, at, d.id, d.revision],
      ],
    ],
    rest: [
      ["UPDATE workspace SET last_sequence = LAST_INSERT_ID(last_sequence + 1) WHERE id = ?", [d.workspace_id]],
      [
        "INSERT INTO live_version_change (workspace_id, sequence, kind, deployment_id, previous_version_id, live_version_id, actor, reason, at) VALUES (?, (SELECT last_sequence FROM workspace WHERE id = ?), ?, ?, ?, ?, ?, ?, ?)",
        [d.workspace_id, d.workspace_id, kind, d.id, previous, live, "anonymous", null, at],
      ],
      outboxStatement(change, d.flow_name) as [string, any[]],
    ],
  };
}

function rawCreateServerShape(pool: Pool, workspace: number, template: Row) {
  const cols = Object.keys(template).filter((k) => k !== "id");
  return (id: number) =>
    inServerShape(pool, async (c) => {
      // The server's lock also reads whether any version was ever flagged BAD (lockDeploymentWithFlags).
      const d = await first(
        c,
        "SELECT *, EXISTS (SELECT 1 FROM version_flag f WHERE f.deployment_id = deployment.id AND f.status = 'BAD') AS ever_flagged_bad FROM deployment WHERE workspace_id = ? AND id = ? FOR UPDATE",
        [workspace, id],
      );
      const number = d.last_number + 1;
      const at = Date.now();
      const values = cols.map((k) =>
        k === "deployment_id" ? id : k === "number" ? number : k === "version" ? `v${number}` : k === "created_at" ? at : template[k],
      );
      const [inserted] = await c.execute<ResultSetHeader>(
        `INSERT INTO deployment_version (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
        values as any[],
      );
      const details = { number, version: `v${number}`, contentHash: template.content_hash };
      return tailOf(d, "CREATE", d.live_version_id, inserted.insertId, at, number, details);
    });
}

function rawMoveServerShape(pool: Pool, workspace: number) {
  return (id: number, kind: "ROLLBACK" | "PROMOTE") =>
    inServerShape(pool, async (c) => {
      const d = await lock(c, workspace, id);
      const target =
        kind === "ROLLBACK"
          ? `number < (SELECT number FROM deployment_version WHERE id = ?) AND id NOT IN (${BAD_VERSION_IDS}) ORDER BY number DESC`
          : "number = ?";
      const [rows] = await c.execute<Row[]>(
        "SELECT 'live' AS role, id, number, version, 0 AS bad FROM deployment_version WHERE id = ? UNION ALL " +
          `SELECT 'target' AS role, id, number, version, id IN (${BAD_VERSION_IDS}) AS bad FROM deployment_version ` +
          `WHERE id = (SELECT id FROM deployment_version WHERE deployment_id = ? AND ${target} LIMIT 1)`,
        [d.live_version_id, id, id, ...(kind === "ROLLBACK" ? [d.live_version_id, id] : [d.last_number])],
      );
      const live = rows.find((r) => r.role === "live")!;
      const to = rows.find((r) => r.role === "target")!;
      if (Number(to.bad)) throw new Error("the target is flagged BAD");
      const details = { direction: kind, fromNumber: live.number, toNumber: to.number, reason: null };
      return tailOf(d, kind, live.id, to.id, Date.now(), d.last_number, details);
    });
}

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
    const measured = async (run: () => Promise<LoadResult>) => {
      const { result, perRequest } = await cpuPerRequest({ server: server.pid, mariadb: mariadb.process.pid!, bench: process.pid }, run);
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
    console.log(`${TABLE_HEAD}\n${results.map(row).join("\n")}\n`);
    console.log(`CPU ms per request:\n\n| run | server | mariadb | bench process |\n|---|---|---|---|\n${cpu.join("\n")}\n`);
    const [rc, sc, rm, sm, rcs, rms] = results as [LoadResult, LoadResult, LoadResult, LoadResult, LoadResult, LoadResult];
    console.log(`B2 createVersion: ${(sc.rps / rc.rps).toFixed(3)}× raw (target ≥ 0.7); rollback/promote: ${(sm.rps / rm.rps).toFixed(3)}× raw`);
    console.log(
      `Against the raw client in the server's statement shape: createVersion ${(sc.rps / rcs.rps).toFixed(3)}×, rollback/promote ${(sm.rps / rms.rps).toFixed(3)}×`,
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

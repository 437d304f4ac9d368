/**
 * The raw mysql2 writes B2 compares the server with: the same transaction as the server's
 * createVersion and rollback/promote, with no HTTP or GraphQL in front (rawCreate, rawMove), and
 * the same again in the server's own statement shape and waits (rawCreateServerShape,
 * rawMoveServerShape). Shared by b2-writes.ts and the bare HTTP front (bare-front.ts).
 */
import type { Pool, PoolConnection, RowDataPacket, ResultSetHeader } from "mysql2/promise";
import { outboxStatement } from "../../src/webhook/outbox";
import { BAD_VERSION_IDS } from "../../src/release/version-flag.entity";

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

export type Row = RowDataPacket & Record<string, any>;
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
export function rawCreate(pool: Pool, workspace: number, template: Row) {
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

export function rawMove(pool: Pool, workspace: number) {
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

export function rawCreateServerShape(pool: Pool, workspace: number, template: Row) {
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

export function rawMoveServerShape(pool: Pool, workspace: number) {
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

import type { AddressInfo } from "node:net";
import { createPool, createServer, type Pool } from "mysql2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Deadline } from "../../src/db/deadline";
import { watchPool } from "../../src/db/statement-watchdog";

/**
 * A MySQL server stand-in (mysql2's own server side, in this process, on loopback) that answers
 * every statement at once, except those containing "never": those it leaves unanswered, as a
 * frozen database does.
 */
function fakeServer() {
  const server = createServer((connection) => {
    const conn = connection as unknown as {
      serverHandshake(args: Record<string, unknown>): void;
      on(event: string, listener: (...args: never[]) => void): void;
      writeOk(): void;
    };
    conn.serverHandshake({ protocolVersion: 10, serverVersion: "fake", connectionId: 1, statusFlags: 2, characterSet: 8, capabilityFlags: 0xffffff });
    conn.on("query", (sql: string) => {
      if (!sql.includes("never")) conn.writeOk();
    });
    conn.on("error", () => undefined);
  });
  const net = (server as unknown as { _server: import("node:net").Server })._server;
  return { server, net };
}

type Callback = (error: (Error & { code?: string }) | null) => void;
interface RawConnection {
  query(sql: string, callback: Callback): void;
  execute(sql: string, values: unknown[], callback: Callback): void;
  release(): void;
  destroy(): void;
}

describe("statement watchdog", () => {
  const { net } = fakeServer();
  let port = 0;
  beforeAll(async () => {
    // The stand-in's sequence ids differ from a real server's; mysql2 warns about it on stderr.
    const error = console.error.bind(console);
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).includes("packets out of order")) error(...args);
    });
    await new Promise<void>((resolve) => net.listen(0, "127.0.0.1", resolve));
    port = (net.address() as AddressInfo).port;
  });
  afterAll(() => {
    vi.restoreAllMocks();
    net.close();
  });

  const poolWatched = (limit: () => { ms: number; deadline: Deadline | null } | null) => {
    const pool = createPool({ host: "127.0.0.1", port, user: "waymark", connectionLimit: 2 });
    watchPool(pool as unknown as Parameters<typeof watchPool>[0], limit);
    return pool;
  };
  const query = (pool: Pool, sql: string) => new Promise((resolve, reject) => pool.query(sql, (error, rows) => (error ? reject(error) : resolve(rows))));
  const connectionOf = (pool: Pool) =>
    new Promise<RawConnection>((resolve, reject) => pool.getConnection((error, c) => (error ? reject(error) : resolve(c as unknown as RawConnection))));
  /** The error code a command ended with, and whether that took about `ms` (at least, and well within a hang). */
  const outcome = (ms: number, send: (callback: Callback) => void) =>
    new Promise<string>((resolve) => {
      const started = Date.now();
      send((error) => {
        const took = Date.now() - started;
        resolve(`${error?.code ?? "ok"} ${took >= ms - 5 && took < ms + 2_000 ? `after about ${ms} ms` : `after ${took} ms`}`);
      });
    });
  const connections = (pool: Pool) => (pool as unknown as { _allConnections: { length: number } })._allConnections.length;

  it("fails a statement that gets no answer, and every one queued behind it, and closes their connection", async () => {
    const pool = poolWatched(() => ({ ms: 300, deadline: null }));
    await query(pool, "SELECT 1");
    const connection = await connectionOf(pool);
    // A PREPARE has no timeout of its own in mysql2; queued commands' timers would never start.
    const outcomes = await Promise.all([
      outcome(300, (done) => connection.query("SELECT never", done)),
      outcome(300, (done) => connection.query("SELECT 2", done)),
      outcome(300, (done) => connection.execute("SELECT never_prepared(?)", [1], done)),
    ]);
    expect(outcomes).toEqual(Array(3).fill("PROTOCOL_SEQUENCE_TIMEOUT after about 300 ms"));
    connection.release();
    // Out of the pool, not handed on with a statement stuck in front of the next one.
    expect(connections(pool)).toBe(0);
    await expect(query(pool, "SELECT 3")).resolves.toBeDefined();
    pool.end();
  });

  it("gives a request's statement only what is left of its deadline, and marks the request failed", async () => {
    const deadline = new Deadline(200);
    const pool = poolWatched(() => ({ ms: deadline.statementMs(), deadline }));
    deadline.remaining();
    const outcomes = await outcome(200, (done) => pool.query("SELECT never", done));
    expect(outcomes).toBe("PROTOCOL_SEQUENCE_TIMEOUT after about 200 ms");
    // Marked failed by the timeout itself (the clock alone would say "did not answer in time").
    expect(() => deadline.check()).toThrow("The database is not answering; retry shortly.");
    pool.end();
  });

  it("leaves statements alone when there is no limit, and answered ones keep their connection", async () => {
    const pool = poolWatched(() => null);
    await query(pool, "SELECT 1");
    const connection = await connectionOf(pool);
    let answered = false;
    connection.query("SELECT never", () => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(answered).toBe(false);
    expect(connections(pool)).toBe(1);
    connection.destroy();
    pool.end();
  });
});

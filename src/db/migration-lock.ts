import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { withRetries } from "./write-store";

/** How long a holder that stopped renewing (it crashed) keeps others waiting. */
const LEASE_MS = 30_000;
const RENEW_MS = 10_000;
const WAIT_MS = 180_000;
const POLL_MS = 250;

/**
 * The migration lock, as a leased row in `waymark_lock`: instances starting together take turns,
 * whichever node of a cluster each talks to. GET_LOCK would not do on Galera (its locks are not
 * replicated), and neither would a row held by SELECT … FOR UPDATE (Galera's row locks are local
 * until commit). A committed UPDATE is: two nodes claiming the free row at once are ordered by the
 * cluster, and the later claim is aborted (a deadlock error, retried) and then sees the row taken.
 * The holder renews the lease while it works; one that crashed frees it when the lease runs out.
 * The table is created here, idempotently, because it must exist before any migration runs.
 */
export async function withMigrationLock<T>(dataSource: DataSource, name: string, work: () => Promise<T>): Promise<T> {
  const query = (sql: string, params: unknown[] = []) => withRetries(() => dataSource.query(sql, params));
  await query(
    "CREATE TABLE IF NOT EXISTS waymark_lock (name VARCHAR(64) NOT NULL PRIMARY KEY, holder VARCHAR(64) NULL, expires_at BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB",
  );
  await query("INSERT IGNORE INTO waymark_lock (name, holder, expires_at) VALUES (?, NULL, 0)", [name]);
  const holder = randomUUID();
  const now = "ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000)";
  const claim = async () => {
    const result = (await query(
      `UPDATE waymark_lock SET holder = ?, expires_at = ${now} + ? WHERE name = ? AND (holder IS NULL OR holder = ? OR expires_at < ${now})`,
      [holder, LEASE_MS, name, holder],
    )) as { affectedRows?: number };
    return Number(result.affectedRows) === 1;
  };
  const deadline = Date.now() + WAIT_MS;
  while (!(await claim())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the migration lock");
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const renewal = setInterval(() => void claim().catch(() => undefined), RENEW_MS);
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await query("UPDATE waymark_lock SET holder = NULL, expires_at = 0 WHERE name = ? AND holder = ?", [name, holder]).catch(() => undefined);
  }
}

import { createConnection } from "mysql2/promise";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { openDatabase } from "../../src/db/database";
import { migrations } from "../../src/db/data-source";
import { freshDatabase } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { send } from "../support/load";
import { CREATE } from "../support/reliability-ops";

const ALL = migrations.map((migration) => migration.name);

/** The names in TypeORM's migrations table, in the order they ran. */
async function applied(url: string): Promise<string[]> {
  const connection = await createConnection({ uri: url });
  try {
    const [rows] = (await connection.query("SELECT name FROM migrations ORDER BY id")) as unknown as [Array<{ name: string }>];
    return rows.map((r) => r.name);
  } finally {
    await connection.end();
  }
}

async function createThrough(server: ServerProcess, name: string) {
  const outcome = await send(server.url, CREATE, { input: { flowName: "migrate", name, entrypoint: "flows/migrate.py:main" } });
  expect(outcome.kind, JSON.stringify(outcome)).toBe("ok");
  return outcome.data.createVersion.change as { sequence: number };
}

// docs/design.md, "Running it": migrations run at start under a lock, so instances may start together or after an upgrade.
describe("R4 migrations at server start", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("lets two instances that start at once on an empty MySQL database both come up, migrating it once", async () => {
    const database = await freshDatabase("mysql");
    cleanups.push(database.drop);
    const servers = await Promise.all([startServerProcess({ DATABASE_URL: database.url }), startServerProcess({ DATABASE_URL: database.url })]);
    cleanups.push(() => Promise.all(servers.map((s) => s.stop())));
    expect(await applied(database.url)).toEqual(ALL);
    // Both serve, in one workspace: their changes share one gapless sequence.
    const viaA = await createThrough(servers[0]!, "a");
    const viaB = await createThrough(servers[1]!, "b");
    expect([viaA.sequence, viaB.sequence]).toEqual([1, 2]);
    expect(await Promise.all(servers.map((s) => s.stop()))).toEqual([0, 0]);
  });

  it("applies a pending migration when a server restarts, then serves", async () => {
    const database = await freshDatabase("mysql");
    cleanups.push(database.drop);
    const first = await startServerProcess({ DATABASE_URL: database.url });
    cleanups.push(() => first.stop());
    await createThrough(first, "before");
    expect(await first.stop()).toBe(0);

    // The last migration reverted, as if the server binary had been upgraded past this database.
    const db = await openDatabase(parseConfig({ DATABASE_URL: database.url }).database);
    try {
      await db.dataSource.undoLastMigration({ transaction: "each" });
      expect(await db.dataSource.showMigrations()).toBe(true);
    } finally {
      await db.close();
    }
    expect(await applied(database.url)).toEqual(ALL.slice(0, -1));

    const second = await startServerProcess({ DATABASE_URL: database.url });
    cleanups.push(() => second.stop());
    expect(await applied(database.url)).toEqual(ALL);
    await createThrough(second, "after");
    const listed = await send(second.url, "{ deployments(first: 10) { edges { node { name liveVersion { number } } } } }");
    expect(listed.kind, JSON.stringify(listed)).toBe("ok");
    // The reverted migration is not the initial one, so what was stored before the upgrade is still served.
    expect(ALL.length).toBeGreaterThan(1);
    expect(listed.data.deployments.edges.map((e: any) => e.node.name).sort()).toEqual(["after", "before"]);
    expect(await second.stop()).toBe(0);
  });
});

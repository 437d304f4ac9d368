import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database";
import { migrateDatabase } from "../../src/migrate";
import { parseConfig } from "../../src/config";
import { freshDatabase, STORES } from "../support/server";

const ALL_MIGRATIONS = [
  "Initial1764144000000",
  "ApiKeys1764150000000",
  "DeploymentRevision1764200000000",
  "AuditLog1764400000000",
  "LiveAtIndex1764410000000",
  "DeploymentLifecycle1764420000000",
  "Retention1764430000000",
  "DeploymentPin1764500000000",
  "VersionFlag1764500000001",
  "Webhooks1764600000000",
];

// One migration set serves both stores, and leaves exactly the schema the entities describe.
describe.each(STORES)("migrations on %s", (store) => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it("leave nothing for TypeORM's schema builder to change, and run once only", async () => {
    const fresh = await freshDatabase(store);
    drops.push(fresh.drop);
    const config = parseConfig({ DATABASE_URL: fresh.url }).database;
    expect(await migrateDatabase(config)).toEqual(ALL_MIGRATIONS);
    expect(await migrateDatabase(config)).toEqual([]);
    const db = await openDatabase(config);
    try {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it("let two servers that start together on an empty database both come up", async () => {
    const fresh = await freshDatabase(store);
    drops.push(fresh.drop);
    const config = parseConfig({ DATABASE_URL: fresh.url }).database;
    const results = await Promise.all([migrateDatabase(config), migrateDatabase(config)]);
    expect(results.flat()).toEqual(ALL_MIGRATIONS);
  });
});

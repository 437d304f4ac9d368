import "reflect-metadata";
import { ConfigError, parseConfig } from "./config";
import { openDatabase } from "./db/database";

/** `npm run migrate`: applies pending migrations (under the same lock the server takes) and exits. */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    const pending = await db.dataSource.showMigrations();
    console.log(pending ? "waymark: migrations still pending" : `waymark: ${config.database.kind} database is up to date`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(`waymark: migration failed: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

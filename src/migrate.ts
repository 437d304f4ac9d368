import "reflect-metadata";
import { parseConfig, type DatabaseConfig } from "./config";
import { openDatabase } from "./db/database";

/** Applies pending migrations under the same lock the server takes; returns what ran. */
export async function migrateDatabase(config: DatabaseConfig): Promise<string[]> {
  const db = await openDatabase(config);
  try {
    return await db.migrate();
  } finally {
    await db.close();
  }
}

// `npm run migrate`
if (require.main === module) {
  migrateDatabase(parseConfig(process.env).database).then(
    (ran) => console.log(ran.length ? `waymark: applied ${ran.join(", ")}` : "waymark: database is up to date"),
    (error: unknown) => {
      console.error(`waymark: migration failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

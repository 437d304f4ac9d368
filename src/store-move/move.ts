import "reflect-metadata";
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseConfig, type DatabaseConfig } from "../config";
import { openDatabase, type Database } from "../db/database";
import { exportStore } from "./export";
import { importStore } from "./import";

/** A store named by URL (sqlite:PATH or mysql://…), opened and migrated, without bootstrapping. */
export async function openStore(url: string, cwd: string): Promise<Database> {
  const config: DatabaseConfig = parseConfig({ DATABASE_URL: url }, cwd).database;
  const db = await openDatabase(config, 2);
  try {
    await db.migrate();
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

async function withStore<T>(url: string, cwd: string, job: (db: Database) => Promise<T>): Promise<T> {
  const db = await openStore(url, cwd);
  try {
    return await job(db);
  } finally {
    await db.close();
  }
}

/** Exports the store at `from` into FILE; resolves with the rows written per table. */
export function exportToFile(from: string, file: string, cwd: string): Promise<Record<string, number>> {
  return withStore(from, cwd, async (db) => {
    const out = createWriteStream(file, { flags: "wx" });
    try {
      const counts = await exportStore(db, async (text) => {
        if (!out.write(text)) await once(out, "drain");
      });
      out.end();
      await once(out, "finish");
      return counts;
    } catch (error) {
      out.destroy();
      throw error;
    }
  });
}

export function importFromFile(file: string, to: string, cwd: string): Promise<Record<string, number>> {
  return withStore(to, cwd, (db) => importStore(db, createReadStream(file)));
}

/** Export and import in one step, through a pipe in memory: nothing is written to disk. */
export async function copyStore(from: string, to: string, cwd: string): Promise<Record<string, number>> {
  const { PassThrough } = await import("node:stream");
  return withStore(from, cwd, (source) =>
    withStore(to, cwd, async (target) => {
      const pipe = new PassThrough({ highWaterMark: 1 << 20 });
      const imported = importStore(target, pipe);
      // A failed import stops the export, which would otherwise wait for the pipe to drain.
      imported.catch((error: unknown) => pipe.destroy(error as Error));
      const exported = exportStore(source, async (text) => {
        if (!pipe.write(text)) await once(pipe, "drain");
      }).then(
        () => void pipe.end(),
        (error: unknown) => void pipe.destroy(error as Error),
      );
      const [counts] = await Promise.all([imported, exported]);
      return counts;
    }),
  );
}

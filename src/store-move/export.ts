import type { Database } from "../db/database";
import { MOVED_TABLES, columnsOf, exported, quote } from "./tables";

/** The first line of an export; an import refuses a file without it, or of another format version. */
export const FORMAT = "waymark-store";
export const FORMAT_VERSION = 1;

const PAGE = 1000;

export interface ExportCounts {
  [table: string]: number;
}

/**
 * Writes every row of every moved table as NDJSON, one `{"table", "row"}` object a line, read a
 * page at a time by keyset on the primary key (constant memory at any size). `write` may return
 * a promise to apply backpressure.
 */
export async function exportStore(db: Database, write: (line: string) => void | Promise<void>): Promise<ExportCounts> {
  const migrations = ((await db.dataSource.query("SELECT name FROM migrations ORDER BY id")) as Array<{ name: string }>).map((m) => m.name);
  await write(`${JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, migrations })}\n`);
  const counts: ExportCounts = {};
  for (const table of MOVED_TABLES) {
    const columns = columnsOf(db.dataSource, table);
    const list = columns.map((c) => quote(db, c.name)).join(", ");
    counts[table] = 0;
    for (let after = 0; ;) {
      const rows = await db.reads.rows<Record<string, unknown>>(`SELECT ${list} FROM ${table} WHERE id > ? ORDER BY id LIMIT ${PAGE}`, [after]);
      if (rows.length === 0) break;
      let text = "";
      for (const raw of rows) {
        const row: Record<string, unknown> = {};
        for (const c of columns) row[c.name] = exported(c.kind, raw[c.name]);
        text += `${JSON.stringify({ table, row })}\n`;
      }
      await write(text);
      counts[table] += rows.length;
      after = Number(rows.at(-1)!.id);
    }
  }
  return counts;
}

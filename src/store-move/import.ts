import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Database } from "../db/database";
import { FORMAT, FORMAT_VERSION } from "./export";
import { MOVED_TABLES, columnsOf, imported, quote, type ColumnKind, type MovedTable } from "./tables";

const BATCH = 200;

export class ImportError extends Error {}

interface Batch {
  table: MovedTable;
  rows: Array<Record<string, unknown>>;
}

/**
 * Loads an export into an empty, migrated store, keeping every id, number and sequence. Rows
 * are inserted in batches as the file is read (constant memory); deployments' live versions are
 * set once the versions exist. The whole import is one transaction: it lands entirely or not at all.
 */
export async function importStore(db: Database, input: Readable): Promise<Record<string, number>> {
  await checkEmpty(db);
  const counts: Record<string, number> = {};
  return db.write(async (tx) => {
    // Created here, right before it is read: readline starts reading at once, and lines it
    // emits before the loop below starts would be lost.
    const lines = createInterface({ input, crlfDelay: Infinity });
    const run = (sql: string, params: unknown[]) => tx.query(sql, params);
    const columns = new Map(MOVED_TABLES.map((t) => [t, columnsOf(db.dataSource, t)]));
    const lives: Array<[number, number]> = [];
    let header = false;
    let batch = null as Batch | null;
    const flush = async () => {
      if (batch && batch.rows.length) await insert(db, run, batch.table, columns.get(batch.table)!, batch.rows);
      batch = null;
    };
    let order = -1;
    for await (const line of lines) {
      if (!line.trim()) continue;
      const parsed = JSON.parse(line) as { format?: string; version?: number; table?: MovedTable; row?: Record<string, unknown> };
      if (!header) {
        if (parsed.format !== FORMAT || parsed.version !== FORMAT_VERSION) throw new ImportError(`not a ${FORMAT} export of version ${FORMAT_VERSION}`);
        await checkMigrations(db, (parsed as { migrations?: string[] }).migrations ?? []);
        header = true;
        continue;
      }
      const { table, row } = parsed;
      const at = MOVED_TABLES.indexOf(table!);
      if (at < 0 || !row) throw new ImportError(`unexpected line: ${line.slice(0, 100)}`);
      if (at < order) throw new ImportError(`${table} rows must come before ${MOVED_TABLES[order]} rows`);
      order = at;
      if (table === "deployment" && row.live_version_id != null) {
        lives.push([Number(row.id), Number(row.live_version_id)]);
        row.live_version_id = null;
      }
      if ((batch as Batch | null)?.table !== table) await flush();
      const current: Batch = (batch ??= { table: table!, rows: [] });
      current.rows.push(row);
      counts[table!] = (counts[table!] ?? 0) + 1;
      if (current.rows.length >= BATCH) await flush();
    }
    await flush();
    if (!header) throw new ImportError("the file is empty");
    for (const [id, live] of lives) await run("UPDATE deployment SET live_version_id = ? WHERE id = ?", [live, id]);
    return counts;
  });
}

async function insert(
  db: Database,
  run: (sql: string, params: unknown[]) => Promise<unknown>,
  table: MovedTable,
  all: ColumnKind[],
  rows: Array<Record<string, unknown>>,
) {
  // A column an older export lacks takes its default.
  const columns = all.filter((c) => c.name in rows[0]!);
  const list = columns.map((c) => quote(db, c.name)).join(", ");
  const one = `(${columns.map(() => "?").join(", ")})`;
  const params = rows.flatMap((row) => columns.map((c) => imported(c.kind, row[c.name])));
  await run(`INSERT INTO ${table} (${list}) VALUES ${rows.map(() => one).join(", ")}`, params);
}

/** Refuses a store that holds anything: an import never merges. */
async function checkEmpty(db: Database): Promise<void> {
  for (const table of MOVED_TABLES) {
    const [row] = await db.reads.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`, []);
    if (Number(row?.n) > 0) throw new ImportError(`the target store is not empty (${table} has ${Number(row?.n)} rows); import only into a new, empty store`);
  }
}

/** Refuses an export from a newer schema than the target's: its rows could not be read back faithfully. */
async function checkMigrations(db: Database, fromFile: string[]): Promise<void> {
  const here = new Set(((await db.dataSource.query("SELECT name FROM migrations")) as Array<{ name: string }>).map((m) => m.name));
  const unknown = fromFile.filter((name) => !here.has(name));
  if (unknown.length) throw new ImportError(`the export comes from a newer Waymark (migrations ${unknown.join(", ")}); import it with that version`);
}

import type { Command } from "commander";
import { ConfigError } from "../../config";
import { ImportError } from "../../store-move/import";
import { copyStore, exportToFile, importFromFile } from "../../store-move/move";
import { UsageError } from "../errors";
import type { CliIo } from "../io";

type Counts = Record<string, number>;

const summary = (verb: string, counts: Counts, ms: number) => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const parts = Object.entries(counts)
    .map(([table, n]) => `${table} ${n}`)
    .join(", ");
  return `${verb} ${total} rows in ${(ms / 1000).toFixed(1)} s (${parts})\n`;
};

/**
 * `waymark store export|import|copy`: moves a whole store between files, SQLite and MySQL. These
 * talk to the databases directly, not to the API; stop the servers (or at least the writes) first.
 */
export function registerStore(program: Command, io: CliIo): void {
  const store = program.command("store").description("export, import or copy a whole store (SQLite or MySQL), keeping every id, number and sequence");
  const source = (from: string | undefined) => from ?? io.env.DATABASE_URL ?? missing("--from (or DATABASE_URL)");
  store
    .command("export")
    .description("write every workspace, key hash, deployment, version, tombstone and log entry to FILE as NDJSON")
    .requiredOption("--to <file>", "the file to create (it must not exist)")
    .option("--from <url>", "the store: sqlite:PATH or mysql://… (default: DATABASE_URL)")
    .action((options: { to: string; from?: string }) => timed(io, "exported", () => exportToFile(source(options.from), options.to, io.cwd)));
  store
    .command("import")
    .description("load an export into an empty store (it is migrated first)")
    .requiredOption("--from <file>", "the NDJSON file written by store export")
    .option("--to <url>", "the store: sqlite:PATH or mysql://… (default: DATABASE_URL)")
    .action((options: { from: string; to?: string }) => timed(io, "imported", () => importFromFile(options.from, options.to ?? source(undefined), io.cwd)));
  store
    .command("copy")
    .description("export from one store and import into another, empty one, in one step")
    .requiredOption("--from <url>", "the source store, e.g. sqlite:./data/waymark.sqlite")
    .requiredOption("--to <url>", "the empty target store, e.g. mysql://user:pass@host:3306/waymark")
    .action((options: { from: string; to: string }) => timed(io, "copied", () => copyStore(options.from, options.to, io.cwd)));
}

function missing(what: string): never {
  throw new UsageError(`${what} is required`);
}

async function timed(io: CliIo, verb: string, job: () => Promise<Counts>): Promise<void> {
  const started = Date.now();
  let counts: Counts;
  try {
    counts = await job();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code;
    if (error instanceof ImportError || error instanceof ConfigError || code === "EEXIST" || code === "ENOENT") throw new UsageError((error as Error).message);
    throw error;
  }
  io.stdout(summary(verb, counts, Date.now() - started));
}

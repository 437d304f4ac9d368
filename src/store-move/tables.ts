import type { DataSource } from "typeorm";
import type { Database } from "../db/database";

/**
 * The tables a store move carries, in an order that satisfies every foreign key on import
 * (deployment.live_version_id, which points forward at a version, is set once versions exist).
 * The lease row of the retention pass is the target's own and is not moved.
 */
export const MOVED_TABLES = ["workspace", "api_key", "deployment", "deployment_version", "live_version_change", "idempotency_key", "audit_entry"] as const;
export type MovedTable = (typeof MOVED_TABLES)[number];

export interface ColumnKind {
  name: string;
  kind: "integer" | "boolean" | "json" | "text";
}

/** Each moved table's columns as both stores hold them, from the entities' metadata. */
export function columnsOf(dataSource: DataSource, table: MovedTable): ColumnKind[] {
  const metadata = dataSource.entityMetadatas.find((m) => m.tableName === table);
  if (!metadata) throw new Error(`no entity for table ${table}`);
  return metadata.columns.map((c) => {
    const type = typeof c.type === "string" ? c.type : "";
    const kind = type === "json" ? "json" : type === "boolean" ? "boolean" : ["integer", "int", "bigint"].includes(type) ? "integer" : "text";
    return { name: c.databaseName, kind };
  });
}

/** A value read from either driver, as the NDJSON file carries it (numbers, booleans, JSON as parsed values). */
export function exported(kind: ColumnKind["kind"], raw: unknown): unknown {
  if (raw == null) return null;
  if (kind === "integer") return Number(raw);
  if (kind === "boolean") return Boolean(Number(raw));
  if (kind === "json") return typeof raw === "string" ? JSON.parse(raw) : raw;
  return raw;
}

/** A value from the file as it is bound to an INSERT. */
export function imported(kind: ColumnKind["kind"], value: unknown): unknown {
  if (value == null) return null;
  if (kind === "boolean") return value ? 1 : 0;
  if (kind === "json") return JSON.stringify(value);
  return value;
}

export const quote = (db: Database, name: string) => db.dataSource.driver.escape(name);

import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import { decodeId } from "../ids";
import { connectionFrom, encodeCursor, pageOf, type Connection, type BidirectionalPageArgs } from "../pagination";
import { AuditEntryConnection, toAuditEntry, type AuditEntry } from "./audit.type";
import type { AuditLogFilter } from "./audit.input";

/** A cursor's key: the entry's time (epoch ms) and id, the order's two columns. */
const isAuditKey = (key: unknown[]): key is [number, number] => key.length === 2 && key.every((part) => Number.isSafeInteger(part) && (part as number) >= 0);

/** The filter as SQL conditions on audit_entry; a deployment id of another kind matches nothing. */
function conditionsOf(caller: Caller, filter: AuditLogFilter | null | undefined): [string[], unknown[]] {
  const where = ["workspace_id = ?"];
  const params: unknown[] = [caller.workspaceId];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (filter?.deploymentId != null) add("deployment_id = ?", decodeId("deployment", filter.deploymentId) ?? -1);
  if (filter?.flowName != null) add("flow_name = ?", filter.flowName);
  if (filter?.actor != null) add("actor = ?", filter.actor);
  if (filter?.kinds != null) add(filter.kinds.length === 0 ? "1 = 0" : `kind IN (${filter.kinds.map(() => "?").join(", ")})`, ...filter.kinds);
  if (filter?.after != null) add("at >= ?", filter.after.getTime());
  if (filter?.before != null) add("at < ?", filter.before.getTime());
  return [where, params];
}

/**
 * The workspace's audit log, newest first, by keyset on (at, id): one statement per page, on an
 * index that starts with the workspace and the filtered column and ends with (at, id), so a page
 * costs the same at any depth and however long the log is.
 */
export async function auditLog(
  db: Database,
  caller: Caller,
  filter: AuditLogFilter | null | undefined,
  args: BidirectionalPageArgs,
): Promise<Connection<AuditEntry>> {
  const page = pageOf(args, "audit", isAuditKey);
  const [where, params] = conditionsOf(caller, filter);
  const table = db.tables.audit;
  const keyed = [...where];
  const keyParams = [...params];
  const forward = page.direction === "forward";
  if (page.key) {
    // `at <= ?` (`>=` backwards) bounds the index range; the OR only breaks ties within one millisecond.
    keyed.push(forward ? "at <= ? AND (at < ? OR id < ?)" : "at >= ? AND (at > ? OR id > ?)");
    keyParams.push(page.key[0], page.key[0], page.key[1]);
  }
  const order = forward ? "at DESC, id DESC" : "at, id";
  const rows = await db.reads.rows(
    `SELECT ${table.columns} FROM ${table.name} WHERE ${keyed.join(" AND ")} ORDER BY ${order} LIMIT ${page.size + 1}`,
    keyParams,
  );
  const entries = rows.map((row) => table.fromRow(row));
  const count = async () => {
    const [row] = await db.reads.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table.name} WHERE ${where.join(" AND ")}`, params);
    return Number(row?.n ?? 0);
  };
  const toEdge = (row: (typeof entries)[number]) => ({ cursor: encodeCursor("audit", [row.at.getTime(), row.id]), node: toAuditEntry(row) });
  // A cursor is only ever handed out for an entry, and entries are never removed.
  return connectionFrom(AuditEntryConnection, page, entries, toEdge, async () => true, count);
}

/** An audit entry as the CLI asks for it (operations: AUDIT_LOG). */
export interface AuditRow {
  id: string;
  kind: string;
  at: string;
  actor: string;
  deploymentId: string | null;
  flowName: string | null;
  deploymentName: string | null;
  versionId: string | null;
  details: Record<string, unknown> | null;
}

export type AuditFormat = "text" | "ndjson" | "csv";
export const AUDIT_FORMATS: readonly AuditFormat[] = ["text", "ndjson", "csv"];

const CSV_COLUMNS = ["at", "kind", "actor", "flowName", "deploymentName", "deploymentId", "versionId", "id", "details"] as const;

/**
 * One CSV field (RFC 4180). A value a spreadsheet would run as a formula (leading =, +, -, @,
 * tab or CR) is prefixed with a quote mark: names in the log come from API users.
 */
function csvField(value: unknown): string {
  let text = value == null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** What a line of text says about the change, by kind. */
function summary(row: AuditRow): string {
  const d = row.details ?? {};
  switch (row.kind) {
    case "VERSION_CREATED":
      return `version ${String(d.number)} (${String(d.version)})`;
    case "LIVE_MOVED":
      return `${String(d.direction).toLowerCase()} ${String(d.fromNumber)} → ${String(d.toNumber)}${d.reason ? `: ${String(d.reason)}` : ""}`;
    case "SETTINGS_CHANGED":
      return ((d.changes as Array<{ field: string; before: unknown; after: unknown }> | undefined) ?? [])
        .map((c) => `${c.field} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`)
        .join(", ");
    case "API_KEY_CREATED":
    case "API_KEY_REVOKED":
      return `key ${String(d.name)} (${String(d.prefix)}…)`;
    default:
      return Object.keys(d).length > 0 ? JSON.stringify(d) : "";
  }
}

/** The header printed before the first entry ("" when the format has none). */
export function auditHeader(format: AuditFormat): string {
  return format === "csv" ? `${CSV_COLUMNS.join(",")}\r\n` : "";
}

/** One entry as one line (CRLF-terminated for CSV, as RFC 4180 has it). */
export function formatAuditRow(row: AuditRow, format: AuditFormat): string {
  if (format === "ndjson") return `${JSON.stringify(row)}\n`;
  if (format === "csv") return `${CSV_COLUMNS.map((c) => csvField(row[c])).join(",")}\r\n`;
  const target = row.flowName ? `${row.flowName}/${row.deploymentName}` : "-";
  return `${[row.at, row.kind.padEnd(19), target, row.actor, summary(row)].join("  ").trimEnd()}\n`;
}

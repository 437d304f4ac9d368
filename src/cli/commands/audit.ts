import { InvalidArgumentError, Option, type Command } from "commander";
import type { AuditEntryKind } from "../../client/generated";
import { AUDIT_FORMATS, auditHeader, formatAuditRow, type AuditFormat, type AuditRow } from "../format/audit";
import type { CliIo } from "../io";
import { AUDIT_LOG } from "../operations";
import { clientFrom, withApiOptions, type ApiOptions } from "./api-options";

interface AuditOptions extends ApiOptions {
  since?: Date;
  until?: Date;
  actor?: string;
  flow?: string;
  kind?: string[];
  format?: AuditFormat;
}

interface AuditPage {
  auditLog: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: AuditRow }> };
}

const PAGE_SIZE = 100;
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO date or time, or a duration back from now: 30m, 12h, 7d. */
export function parseInstant(now: () => Date) {
  return (value: string): Date => {
    const relative = /^(\d{1,6})([mhd])$/.exec(value.trim());
    if (relative) return new Date(now().getTime() - Number(relative[1]) * UNITS[relative[2]!]!);
    const parsed = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? new Date(value.trim()) : new Date(NaN);
    if (Number.isNaN(parsed.getTime()))
      throw new InvalidArgumentError("expected an ISO date or time (2026-11-30, 2026-11-30T14:00Z) or a duration back from now (30m, 12h, 7d)");
    return parsed;
  };
}

export function registerAudit(program: Command, io: CliIo, now: () => Date = () => new Date()): void {
  const command = program
    .command("audit")
    .description("print the workspace's audit log, newest first, page by page as it arrives")
    .option("--since <when>", "entries at or after this time: an ISO date or time, or 30m, 12h, 7d ago", parseInstant(now))
    .option("--until <when>", "entries before this time (same forms as --since)", parseInstant(now))
    .option("--actor <name>", "entries made with this API key name only")
    .option("--flow <name>", "entries of this flow's deployments only")
    .option("--kind <kind...>", "entries of these kinds only, e.g. VERSION_CREATED LIVE_MOVED SETTINGS_CHANGED")
    .addOption(new Option("--format <format>", "text, ndjson (one JSON object a line) or csv").choices(AUDIT_FORMATS));
  withApiOptions(command).action((options: AuditOptions) => audit(options, io));
}

/** Streams every page: each is printed before the next is asked for, so memory stays one page. */
async function audit(options: AuditOptions, io: CliIo): Promise<void> {
  const format: AuditFormat = options.format ?? (options.json ? "ndjson" : "text");
  const client = clientFrom(options, io);
  const filter = {
    after: options.since?.toISOString(),
    before: options.until?.toISOString(),
    actor: options.actor,
    flowName: options.flow,
    // The server refuses a kind it does not know, naming it (BAD_USER_INPUT).
    kinds: options.kind?.map((kind) => kind.toUpperCase() as AuditEntryKind),
  };
  io.stdout(auditHeader(format));
  for (let after: string | null = null; ;) {
    const page = (await client.request(AUDIT_LOG, { filter, first: PAGE_SIZE, after })) as AuditPage;
    const text = page.auditLog.edges.map((edge) => formatAuditRow(edge.node, format)).join("");
    if (text) io.stdout(text);
    if (!page.auditLog.pageInfo.hasNextPage || !page.auditLog.pageInfo.endCursor) return;
    after = page.auditLog.pageInfo.endCursor;
  }
}

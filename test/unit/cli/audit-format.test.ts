import { describe, expect, it } from "vitest";
import { parseInstant } from "../../../src/cli/commands/audit";
import { auditHeader, formatAuditRow, type AuditRow } from "../../../src/cli/format/audit";

const row = (extra: Partial<AuditRow> = {}): AuditRow => ({
  id: "aud_1",
  kind: "SETTINGS_CHANGED",
  at: "2026-11-30T12:00:00.000Z",
  actor: "ci",
  deploymentId: "dep_1",
  flowName: "etl",
  deploymentName: "prod",
  versionId: null,
  details: { changes: [{ field: "paused", before: false, after: true }] },
  ...extra,
});

describe("waymark audit's formats", () => {
  it("writes CSV with a header, RFC 4180 quoting and no formula a spreadsheet would run", () => {
    expect(auditHeader("csv")).toBe("at,kind,actor,flowName,deploymentName,deploymentId,versionId,id,details\r\n");
    const line = formatAuditRow(row({ actor: '=HYPERLINK("x")', deploymentName: "a,b" }), "csv");
    expect(line).toBe(
      `2026-11-30T12:00:00.000Z,SETTINGS_CHANGED,"'=HYPERLINK(""x"")",etl,"a,b",dep_1,,aud_1,"{""changes"":[{""field"":""paused"",""before"":false,""after"":true}]}"\r\n`,
    );
  });

  it("writes one JSON object a line, and a readable line of text", () => {
    expect(JSON.parse(formatAuditRow(row(), "ndjson"))).toEqual(row());
    expect(formatAuditRow(row(), "text")).toBe("2026-11-30T12:00:00.000Z  SETTINGS_CHANGED     etl/prod  ci  paused false → true\n");
    expect(formatAuditRow(row({ kind: "API_KEY_CREATED", flowName: null, deploymentName: null, details: { name: "ci", prefix: "wm_ab" } }), "text")).toContain(
      "  -  ci  key ci (wm_ab…)",
    );
  });

  it("reads ISO times and durations back from now, and refuses anything else", () => {
    const parse = parseInstant(() => new Date("2026-11-30T12:00:00Z"));
    expect(parse("7d").toISOString()).toBe("2026-11-23T12:00:00.000Z");
    expect(parse("30m").toISOString()).toBe("2026-11-30T11:30:00.000Z");
    expect(parse("2026-11-01").toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(() => parse("yesterday")).toThrow(/ISO date/);
    expect(() => parse("2026-13-45")).toThrow(/ISO date/);
  });
});

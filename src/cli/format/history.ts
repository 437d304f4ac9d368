import type { DeploymentHistory, LiveChange } from "../operations";
import { shortSha, table, versionLabel } from "./text";

const number = (v: { number: number } | null) => (v ? String(v.number) : "-");

/** `waymark history`: the versions newest first, then the moves of the live pointer newest first. */
export function formatHistory(history: DeploymentHistory): string {
  const { versions, liveHistory } = history;
  const header =
    `${history.flowName}/${history.name} (id ${history.id}): ${history.versionCount} version(s); ` +
    `live: ${versionLabel(history.liveVersion)}${history.paused ? "; paused" : ""}\n\n`;
  const versionRows = versions.edges.map(({ node: v }) => [
    v.isLive ? "*" : "",
    String(v.number),
    v.version,
    shortSha(v.sourceInfo?.commitSha),
    v.sourceInfo?.branch ?? "-",
    v.createdAt,
    v.createdBy,
    v.codePin.pinned ? "yes" : "no",
    v.id,
  ]);
  const changeRows = liveHistory.edges.map(({ node: c }) => [
    String(c.sequence),
    c.kind,
    number(c.previousVersion),
    number(c.liveVersion),
    c.at,
    c.actor,
    c.reason ?? "",
  ]);
  return [
    header,
    `Versions, newest first${more(versions.edges.length, versions.totalCount)}:\n`,
    table([["LIVE", "#", "NAME", "COMMIT", "BRANCH", "CREATED AT", "CREATED BY", "PINNED", "ID"], ...versionRows]),
    `\nLive history, newest first${more(liveHistory.edges.length, liveHistory.totalCount)}:\n`,
    table([["SEQ", "KIND", "FROM", "TO", "AT", "BY", "REASON"], ...changeRows]),
  ].join("");
}

const more = (shown: number, total: number) => (shown < total ? ` (${shown} of ${total}; --first N shows more)` : "");

/** The moves a command prints (rollback, promote, a deploy that went live). */
const VERBS: Partial<Record<LiveChange["kind"], string>> = { CREATE: "Created", ROLLBACK: "Rolled back", PROMOTE: "Promoted" };

/** `waymark rollback` / `promote`: which version was live, which is now. */
export function formatChange(deployment: string, change: LiveChange): string {
  const reason = change.reason ? `; reason: ${change.reason}` : "";
  return (
    `${VERBS[change.kind] ?? change.kind} ${deployment}: ${versionLabel(change.liveVersion)} (id ${change.liveVersion.id}) is live, ` +
    `was ${versionLabel(change.previousVersion)} (change ${change.sequence}${reason})\n`
  );
}

import type { LiveChange } from "../operations";
import type { VersionDiffView } from "../release-operations";
import { versionLabel } from "./text";

const MAX_VALUE = 200;

/** A value on one line, cut short when long (the whole value is in `--json`). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}… (${text.length} characters)` : text;
}

/** One line per change, `+` added, `-` removed, `~` replaced, as in a unified diff's margin. */
export function formatDiff(diff: VersionDiffView): string {
  const head = `${versionLabel(diff.from)} → ${versionLabel(diff.to)}`;
  const lines = [diff.identical ? `${head}: identical content` : `${head}: ${diff.changes.length} change${diff.changes.length === 1 ? "" : "s"}`];
  for (const change of diff.changes) {
    if (change.op === "ADD") lines.push(`  + ${change.path}: ${shown(change.after)}`);
    else if (change.op === "REMOVE") lines.push(`  - ${change.path}: ${shown(change.before)}`);
    else lines.push(`  ~ ${change.path}: ${shown(change.before)} → ${shown(change.after)}`);
  }
  if (diff.sourceCompareUrl) lines.push(`source: ${diff.sourceCompareUrl}`);
  return `${lines.join("\n")}\n`;
}

/** What a dry-run move would do: loud that nothing moved, then the diff from the live version. */
export function formatDryRunMove(deployment: string, move: string, change: LiveChange & { diff: VersionDiffView | null }): string {
  const head =
    `DRY RUN, nothing changed: ${move} ${deployment} would make ${versionLabel(change.liveVersion)} (id ${change.liveVersion.id}) live, ` +
    `replacing ${versionLabel(change.previousVersion)}\n`;
  return head + (change.diff ? formatDiff(change.diff) : "");
}

/** Plain-text building blocks for what the CLI prints for people (scripts use `--json`). */

/** Rows as left-aligned columns, two spaces apart, each line indented. */
export function table(rows: ReadonlyArray<readonly string[]>, indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join("  ")
          .trimEnd(),
    )
    .join("\n")
    .concat("\n");
}

export interface VersionLabel {
  number: number;
  version: string;
}

/** `version 3 "0.0.1"`: the number identifies, the name is for people. */
export const versionLabel = (v: VersionLabel | null | undefined) => (v ? `version ${v.number} "${v.version}"` : "none");

export const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 8) : "-");

/** Server messages on one line, so every error stays one line of a CI log. */
export const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, "; ").trim();

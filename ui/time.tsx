const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** The exact time in UTC, to the second, as hover texts show it: "2026-11-30 18:12:05 UTC". */
export const utcText = (iso: string) =>
  `${new Date(iso)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "")} UTC`;

/** A time in the viewer's time zone, with the exact UTC time on hover (and for screen readers via datetime). */
export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={utcText(iso)}>
      {FORMAT.format(new Date(iso))}
    </time>
  );
}

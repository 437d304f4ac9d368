/**
 * Public ids are opaque strings: a type prefix and the row's key. The prefix makes an id of one
 * type useless as another (a version id never resolves a deployment), and lets a malformed id
 * resolve to "nothing" instead of reaching the database.
 */
const PREFIX = {
  deployment: "dep_",
  version: "ver_",
  change: "chg_",
  key: "key_",
  workspace: "wsp_",
  audit: "aud_",
  webhook: "whk_",
  delivery: "whd_",
} as const;
export type IdKind = keyof typeof PREFIX;

export function encodeId(kind: IdKind, key: number): string {
  return PREFIX[kind] + key.toString(10);
}

/** The row key behind a public id, or null when the id is not one of this kind. */
export function decodeId(kind: IdKind, id: string): number | null {
  const prefix = PREFIX[kind];
  if (!id.startsWith(prefix)) return null;
  const digits = id.slice(prefix.length);
  if (!/^[1-9]\d{0,14}$/.test(digits)) return null;
  return Number(digits);
}

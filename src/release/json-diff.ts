/** One difference between two JSON documents, at a JSON Pointer (RFC 6901) path. */
export interface JsonChange {
  path: string;
  op: "ADD" | "REMOVE" | "REPLACE";
  before?: unknown;
  after?: unknown;
}

/** One reference token of a JSON Pointer: `~` becomes `~0` and `/` becomes `~1`, in that order. */
export function pointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The changes that turn `before` into `after`: objects compared key by key, arrays index by
 * index (a removed middle element shows as REPLACEs and a trailing REMOVE, which is what a reader
 * of a list of steps expects), anything else, or a change of type, as one REPLACE. One walk over
 * both documents, so two large documents cost time in proportion to their size.
 */
export function jsonDiff(before: unknown, after: unknown, path = "", into: JsonChange[] = []): JsonChange[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    const shared = Math.min(before.length, after.length);
    for (let i = 0; i < shared; i++) jsonDiff(before[i], after[i], `${path}/${i}`, into);
    for (let i = shared; i < after.length; i++) into.push({ path: `${path}/${i}`, op: "ADD", after: after[i] });
    for (let i = before.length - 1; i >= shared; i--) into.push({ path: `${path}/${i}`, op: "REMOVE", before: before[i] });
    return into;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      const at = `${path}/${pointerToken(key)}`;
      if (Object.hasOwn(after, key)) jsonDiff(before[key], after[key], at, into);
      else into.push({ path: at, op: "REMOVE", before: before[key] });
    }
    for (const key of Object.keys(after)) {
      if (!Object.hasOwn(before, key)) into.push({ path: `${path}/${pointerToken(key)}`, op: "ADD", after: after[key] });
    }
    return into;
  }
  if (!sameScalar(before, after)) into.push({ path, op: "REPLACE", before, after });
  return into;
}

/** Equal scalars; containers of different kinds (or a container and a scalar) are never equal here. */
function sameScalar(a: unknown, b: unknown): boolean {
  if (typeof a === "object" && a !== null) return false;
  if (typeof b === "object" && b !== null) return false;
  return a === b;
}

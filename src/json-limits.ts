import { isJsonObject, jsonDepth } from "./json-object";

/**
 * A JSON document as stored in a JSON column. Deliberately shallow: a recursive type sends
 * TypeORM's deep-partial types into infinite instantiation.
 */
export type JsonValue = string | number | boolean | null | object;
export type JsonObject = { [key: string]: JsonValue };

/** Bounds on client-supplied JSON documents, so one field cannot exhaust memory or the stack. */
/** Well inside MariaDB's json_valid limit of 32 levels (which also counts the scalars). */
export const MAX_JSON_DEPTH = 20;
export const MAX_JSON_BYTES = 256 * 1024;

export { isJsonObject } from "./json-object";

/** Problems with a JSON value's shape and size; `expected` is the shape the field must have. */
export function jsonProblems(field: string, value: unknown, expected: "object" | "list" | "any"): string[] {
  if (expected === "object" && !isJsonObject(value)) {
    return [`${field} must be a JSON object, got ${describe(value)}`];
  }
  if (expected === "list" && !Array.isArray(value)) return [`${field} must be a JSON list, got ${describe(value)}`];
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return [`${field} is nested deeper than ${MAX_JSON_DEPTH} levels`];
  if (Buffer.byteLength(JSON.stringify(value) ?? "") > MAX_JSON_BYTES) return [`${field} is larger than ${MAX_JSON_BYTES / 1024} KiB`];
  return [];
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A UTF-16 code unit of a surrogate pair standing alone: `u` mode reads a well-formed pair as one code point. */
const LONE_SURROGATE = /\p{Cs}/u;

interface Visit {
  value: unknown;
  parent: Visit | null;
  key: string | number;
}

/** Where a value sits, from the root; cut short past 32 levels (a hostile nesting would make a megabyte of it). */
const pathOf = (visit: Visit): string => {
  const parts: string[] = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) parts.push(typeof at.key === "number" ? `[${at.key}]` : `.${at.key}`);
  const path = parts.reverse().slice(0, 32).join("").replace(/^\./, "");
  return parts.length > 32 ? `${path}…` : path;
};

/**
 * The first value JSON text can carry but no field can store faithfully: a number that is not
 * finite (`1e400` parses to Infinity, which JSON.stringify writes as null), or a string or key
 * with a lone UTF-16 surrogate (`"\ud800"` escapes parse to one, and a database rewrites it,
 * merging distinct names). Iterative: it runs before any depth limit has looked at the value.
 * Null when there is none; else the problem, naming where under `root`.
 */
export function illFormedValue(value: unknown, root: string): string | null {
  const stack: Visit[] = [{ value, parent: null, key: root }];
  const where = (visit: Visit) => [root, pathOf(visit)].filter(Boolean).join(".").replace(/\.\[/g, "[");
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const item = visit.value;
    if (typeof item === "number") {
      if (!Number.isFinite(item)) return `${where(visit)} is a number too large to represent (${item})`;
    } else if (typeof item === "string") {
      if (LONE_SURROGATE.test(item)) return `${where(visit)} contains an unpaired UTF-16 surrogate; send well-formed Unicode text`;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], parent: visit, key: i });
    } else if (typeof item === "object" && item !== null) {
      for (const key of Object.keys(item)) {
        if (LONE_SURROGATE.test(key)) return `${where(visit)} has a key with an unpaired UTF-16 surrogate; send well-formed Unicode text`;
        stack.push({ value: (item as Record<string, unknown>)[key], parent: visit, key });
      }
    }
  }
  return null;
}

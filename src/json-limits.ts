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

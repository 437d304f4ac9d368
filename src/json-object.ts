/**
 * Shape checks on untyped JSON, shared by the server (inputs, request bodies, limits) and the CLI
 * (deployment files): one definition of "an object" and one bounded depth walk.
 */

/** A JSON object: not null, not a list. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * How deeply objects and lists nest in `value` (a scalar is 0, `{}` is 1), counted no further than
 * `limit` + 1: the walk stops there, so a hostile nesting cannot overflow the stack. Compare the
 * result with `limit` to know whether it is exceeded.
 */
export function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== "object" || value === null || limit < 0) return 0;
  let deepest = 0;
  for (const item of Object.values(value)) deepest = Math.max(deepest, jsonDepth(item, limit - 1));
  return deepest + 1;
}

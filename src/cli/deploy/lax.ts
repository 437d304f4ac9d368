import { isPlainObject } from "../template";

/**
 * A placeholder always gives text, and Prefect reads the typed fields of a deployment through
 * pydantic models in lax mode, which take text that reads as the type: `paused: "{{ $PAUSED }}"` with
 * PAUSED=true is `true`, `concurrency_limit: "{{ $LIMIT }}"` with LIMIT=3 is `3`. Waymark does the same
 * for a value written as a placeholder (text written as such, `paused: "yes"`, stays refused); any
 * other value is left as it is, for the field's reader to refuse.
 */
const TRUE_TEXT = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_TEXT = new Set(["0", "off", "f", "false", "n", "no"]);

function laxBoolean(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim().toLowerCase();
  return TRUE_TEXT.has(text) ? true : FALSE_TEXT.has(text) ? false : value;
}

function laxInteger(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[-+]?\d+\s*$/.test(value)) return value;
  const number = Number(value.trim());
  return Number.isSafeInteger(number) ? number : value;
}

const hasPlaceholder = (value: unknown) => typeof value === "string" && value.includes("{{");

/** Applies `read` to `resolved[key]` when `written[key]` (before templating) was a placeholder. */
function typed(written: Record<string, unknown>, resolved: Record<string, unknown>, key: string, read: (value: unknown) => unknown) {
  if (hasPlaceholder(written[key]) && Object.hasOwn(resolved, key)) resolved[key] = read(resolved[key]);
}

/**
 * The deployment with each typed field that was written as a placeholder read as its type:
 * `paused`, `enforce_parameter_schema`, `concurrency_limit` (and its `limit`, `grace_period_seconds`),
 * and each schedule's `active` and `day_or`. `written` is the deployment before templating.
 */
export function typedPlaceholders(written: Record<string, unknown>, resolved: Record<string, unknown>): Record<string, unknown> {
  const result = { ...resolved };
  typed(written, result, "paused", laxBoolean);
  typed(written, result, "enforce_parameter_schema", laxBoolean);
  typed(written, result, "concurrency_limit", laxInteger);
  const [limit, resolvedLimit] = [written.concurrency_limit, result.concurrency_limit];
  if (isPlainObject(limit) && isPlainObject(resolvedLimit)) {
    const read = { ...resolvedLimit };
    typed(limit, read, "limit", laxInteger);
    typed(limit, read, "grace_period_seconds", laxInteger);
    result.concurrency_limit = read;
  }
  const [schedules, resolvedSchedules] = [written.schedules, result.schedules];
  if (Array.isArray(schedules) && Array.isArray(resolvedSchedules)) {
    result.schedules = resolvedSchedules.map((schedule: unknown, i) => {
      if (!isPlainObject(schedule) || !isPlainObject(schedules[i])) return schedule;
      const read = { ...schedule };
      typed(schedules[i], read, "active", laxBoolean);
      typed(schedules[i], read, "day_or", laxBoolean);
      return read;
    });
  }
  return result;
}

import { childPath, isPlainObject } from "../template";
import type { FieldReader } from "./fields";
import { withoutUndefined, type DeploymentSettingsDraft } from "./version-input";

type Concurrency = Pick<DeploymentSettingsDraft, "concurrencyLimit" | "concurrencyOptions">;

const isLimit = (value: unknown): value is number | null => value === null || (typeof value === "number" && Number.isInteger(value) && value >= 0);

/**
 * concurrencyOptions keeps Prefect's own key style, the `concurrency_options` its API stores
 * (`collision_strategy`, `grace_period_seconds`); camelCase spellings are accepted and normalised.
 */
const OPTION_KEYS: Record<string, string> = {
  collision_strategy: "collision_strategy",
  collisionStrategy: "collision_strategy",
  grace_period_seconds: "grace_period_seconds",
  gracePeriodSeconds: "grace_period_seconds",
};

/**
 * `concurrency_limit` is an int, or Prefect 3's `{ limit, collision_strategy, grace_period_seconds }`:
 * `limit` (none when left out) becomes concurrencyLimit and the others concurrencyOptions (null values left out, as
 * Prefect leaves out an unset grace period). The int form clears any options an earlier object form
 * left, so the file alone says what applies. Other keys are not stored, with a warning.
 */
function concurrency(fields: FieldReader, warnings: string[]): Concurrency {
  const value = fields.record.concurrency_limit;
  if (value === undefined) return {};
  if (isLimit(value)) return { concurrencyLimit: value, concurrencyOptions: null };
  if (!isPlainObject(value)) {
    fields.problem("concurrency_limit", "must be a non-negative integer, null or a mapping with `limit`");
    return {};
  }
  // Prefect's ConcurrencyLimitSpec: `limit` may be left out (no limit, the strategy still kept).
  const { limit = null, ...rest } = value;
  if (!isLimit(limit)) {
    fields.problem("concurrency_limit", "must have `limit`: a non-negative integer or null");
    return {};
  }
  const options: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(rest)) {
    const normalised = OPTION_KEYS[key];
    if (normalised === undefined) warnings.push(`${childPath(fields.pathOf("concurrency_limit"), key)} is not stored (not a key Waymark reads); ignored`);
    else if (option !== null) options[normalised] = option;
  }
  return { concurrencyLimit: limit, concurrencyOptions: Object.keys(options).length > 0 ? options : null };
}

/** The non-versioned settings the file sets; undefined when it sets none, so the server leaves them as they are. */
export function settingsOf(fields: FieldReader, warnings: string[]): DeploymentSettingsDraft | undefined {
  const settings = withoutUndefined({
    paused: fields.nullableBoolean("paused"),
    schedules: schedulesOf(fields, warnings),
    ...concurrency(fields, warnings),
  });
  return Object.keys(settings).length > 0 ? settings : undefined;
}

/** The keys Prefect builds a schedule from (`_schedule_config_to_deployment_schedule`); any other it never stores. */
const SCHEDULE_KEYS = new Set(["cron", "interval", "rrule", "timezone", "anchor_date", "day_or", "active", "parameters", "slug", "replaces"]);

/**
 * Each schedule as Prefect turns it into one (`_schedule_config_to_deployment_schedule` in its
 * cli/deploy/_schedules.py): a mapping with a cron, interval or rrule, else "Unknown schedule type";
 * `active` and `day_or` are booleans (a placeholder's text is read as one first, see lax.ts). Other
 * keys (`max_active_runs` and `catchup`, as Prefect 3.0 wrote them back) are dropped, one warning per key.
 */
function schedulesOf(fields: FieldReader, warnings: string[]): unknown[] | null | undefined {
  const schedules = fields.nullableList("schedules");
  if (!schedules) return schedules;
  const dropped = new Map<string, { first: string; count: number }>();
  const read = schedules.map((schedule, i) => {
    const path = `${fields.pathOf("schedules")}[${i}]`;
    if (!isPlainObject(schedule) || !(schedule.cron || schedule.interval || schedule.rrule)) {
      fields.problemAt(path, "must be a mapping with cron, interval or rrule (Prefect refuses it as an unknown schedule type)");
      return schedule;
    }
    for (const key of ["active", "day_or"]) {
      const value = schedule[key];
      if (value !== undefined && value !== null && typeof value !== "boolean") fields.problemAt(childPath(path, key), "must be true or false");
    }
    const unread = Object.keys(schedule).filter((key) => !SCHEDULE_KEYS.has(key));
    for (const key of unread) {
      const seen = dropped.get(key);
      if (seen) seen.count += 1;
      else dropped.set(key, { first: childPath(path, key), count: 1 });
    }
    return Object.fromEntries(Object.entries(schedule).filter(([key]) => SCHEDULE_KEYS.has(key)));
  });
  for (const { first, count } of dropped.values()) {
    const more = count > 1 ? ` (and in ${count - 1} more schedule${count > 2 ? "s" : ""})` : "";
    warnings.push(`${first}${more} is not stored (not a schedule key Prefect reads); ignored`);
  }
  return read;
}

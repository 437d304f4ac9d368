import { isPlainObject } from "../template";
import type { FieldReader } from "./fields";
import { withoutUndefined, type DeploymentSettingsDraft } from "./version-input";

type Concurrency = Pick<DeploymentSettingsDraft, "concurrencyLimit" | "concurrencyOptions">;

const isLimit = (value: unknown): value is number | null =>
  value === null || (typeof value === "number" && Number.isInteger(value) && value >= 0);

/**
 * `concurrency_limit` is an int, or Prefect 3's `{ limit, collision_strategy, … }`: `limit` becomes
 * concurrencyLimit and the other keys, as written, concurrencyOptions. The int form clears any options
 * an earlier object form left, so the file alone says what applies.
 */
function concurrency(fields: FieldReader): Concurrency {
  const value = fields.record.concurrency_limit;
  if (value === undefined) return {};
  if (isLimit(value)) return { concurrencyLimit: value, concurrencyOptions: null };
  if (!isPlainObject(value)) {
    fields.problem("concurrency_limit", "must be a non-negative integer, null or a mapping with `limit`");
    return {};
  }
  const { limit, ...options } = value;
  if (!isLimit(limit)) {
    fields.problem("concurrency_limit", "must have `limit`: a non-negative integer or null");
    return {};
  }
  return { concurrencyLimit: limit, concurrencyOptions: Object.keys(options).length > 0 ? options : null };
}

/** The non-versioned settings the file sets; undefined when it sets none, so the server leaves them as they are. */
export function settingsOf(fields: FieldReader): DeploymentSettingsDraft | undefined {
  const settings = withoutUndefined({
    paused: fields.nullableBoolean("paused"),
    schedules: fields.nullableList("schedules"),
    ...concurrency(fields),
  });
  return Object.keys(settings).length > 0 ? settings : undefined;
}

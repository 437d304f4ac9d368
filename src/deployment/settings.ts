import canonicalize from "canonicalize";
import type { SettingChange } from "../live/live-change.entity";
import { jsonProblems, type JsonObject, type JsonValue } from "../json-limits";
import type { DeploymentSettingsInput } from "./deployment.input";
import type { DeploymentEntity } from "./deployment.entity";

/** Only the settings the client named; `null` means "back to the default". */
export type SettingsPatch = Partial<Pick<DeploymentEntity, "paused" | "schedules" | "concurrencyLimit" | "concurrencyOptions">>;

/** Checks a settings input and turns it into the patch to apply; problems are appended. */
export function settingsOf(input: DeploymentSettingsInput, problems: string[], prefix = ""): SettingsPatch {
  const patch: SettingsPatch = {};
  if (input.paused !== undefined) patch.paused = input.paused ?? false;
  if (input.schedules !== undefined) {
    if (input.schedules !== null) problems.push(...jsonProblems(`${prefix}schedules`, input.schedules, "list"));
    patch.schedules = (input.schedules as JsonValue[] | null) ?? [];
  }
  if (input.concurrencyLimit !== undefined) patch.concurrencyLimit = input.concurrencyLimit;
  if (input.concurrencyOptions !== undefined) {
    if (input.concurrencyOptions !== null) problems.push(...jsonProblems(`${prefix}concurrencyOptions`, input.concurrencyOptions, "object"));
    patch.concurrencyOptions = (input.concurrencyOptions as JsonObject | null) ?? null;
  }
  return patch;
}

export const SETTING_FIELDS = ["paused", "schedules", "concurrencyLimit", "concurrencyOptions"] as const;

/**
 * The part of `patch` that changes `deployment`, and each changed field before and after. A value
 * equal to the current one (as canonical JSON, so key order does not count) is not a change.
 */
export function settingsDiff(deployment: DeploymentEntity, patch: SettingsPatch): { set: SettingsPatch; changes: SettingChange[] } {
  const set: SettingsPatch = {};
  const changes: SettingChange[] = [];
  for (const field of SETTING_FIELDS) {
    if (!(field in patch)) continue;
    const before = (deployment[field] ?? null) as JsonValue;
    const after = (patch[field] ?? null) as JsonValue;
    if (canonicalize(before) === canonicalize(after)) continue;
    Object.assign(set, { [field]: patch[field] });
    changes.push({ field, before, after });
  }
  return { set, changes };
}

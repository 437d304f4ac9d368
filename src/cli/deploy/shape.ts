import { childPath, isPlainObject } from "../template";

/**
 * Deployment keys Waymark reads. `build` and `push` are run by the step runner, not stored; every
 * other key of a deployment is reported as not stored (a warning, an error with --strict).
 */
const DEPLOYMENT_KEYS = new Set([
  "name",
  "flow_name",
  "entrypoint",
  "version",
  "version_type",
  "description",
  "tags",
  "labels",
  "parameters",
  "parameter_openapi_schema",
  "enforce_parameter_schema",
  "work_pool",
  "pull",
  "build",
  "push",
  "schedule",
  "schedules",
  "paused",
  "concurrency_limit",
]);
/** True for a key of a deployment that Waymark reads (stores, runs or turns into another). */
export const isDeploymentKey = (key: string) => DEPLOYMENT_KEYS.has(key);

const WORK_POOL_KEYS = new Set(["name", "work_queue_name", "job_variables"]);
/** `definitions` is not Prefect's, but it is where its docs put the anchors deployments share. */
const TOP_LEVEL_KEYS = new Set(["prefect-version", "name", "build", "push", "pull", "deployments", "definitions"]);

const WHY_NOT_STORED: Record<string, string> = {
  triggers: "Waymark keeps no automations; create them in Prefect",
  sla: "Waymark keeps no SLAs; create them in Prefect",
  job_variables: "job_variables belongs under work_pool:",
  work_queue_name: "work_queue_name belongs under work_pool:",
  is_paused: "did you mean paused?",
  work_pool_name: "did you mean work_pool: { name: … }?",
};

/** Keys Prefect 3 treats as absent when they are null (and flow_name also when empty). */
const NULL_MEANS_ABSENT = ["flow_name", "tags", "parameters", "enforce_parameter_schema", "version_type"];

export interface Reports {
  problems: string[];
  warnings: string[];
}

/** Warnings for the top-level keys of the file that Waymark does not read. */
export function topLevelWarnings(root: Record<string, unknown>): string[] {
  return Object.keys(root)
    .filter((key) => !TOP_LEVEL_KEYS.has(key))
    .map((key) => `${childPath("", key)} is not a prefect.yaml key; ignored`);
}

/**
 * One deployment as Prefect 3 reads it before templating: nulls that mean "absent" removed, a
 * singular `schedule:` turned into `schedules: [it]` (_handle_deprecated_schedule_fields in
 * PrefectHQ/prefect, src/prefect/cli/deploy/_config.py), and every key that will not be stored
 * reported, with the reason when there is one.
 */
export function normalizeDeployment(record: Record<string, unknown>, path: string, reports: Reports): Record<string, unknown> {
  const result = { ...record };
  for (const key of NULL_MEANS_ABSENT) {
    if (result[key] === null || (key === "flow_name" && typeof result[key] === "string" && result[key].trim() === "")) {
      delete result[key];
    }
  }
  singularSchedule(result, path, reports.problems);
  reports.warnings.push(...notStored(record, path));
  return result;
}

function singularSchedule(record: Record<string, unknown>, path: string, problems: string[]): void {
  const schedule = record.schedule;
  delete record.schedule;
  // Prefect: a falsy `schedule:` (null, {}) is as good as absent.
  if (schedule === undefined || schedule === null || (isPlainObject(schedule) && Object.keys(schedule).length === 0)) return;
  if (Object.hasOwn(record, "schedules")) {
    problems.push(`${path} has both schedule and schedules; use only schedules (a list)`);
  } else if (!isPlainObject(schedule)) {
    problems.push(`${childPath(path, "schedule")} must be one schedule (a mapping); for several, use schedules: [...]`);
  } else {
    record.schedules = [schedule];
  }
}

function notStored(record: Record<string, unknown>, path: string): string[] {
  const warnings = unknownKeys(record, DEPLOYMENT_KEYS, path);
  const pool = record.work_pool;
  if (isPlainObject(pool)) warnings.push(...unknownKeys(pool, WORK_POOL_KEYS, childPath(path, "work_pool")));
  return warnings;
}

function unknownKeys(record: Record<string, unknown>, known: ReadonlySet<string>, path: string): string[] {
  return Object.keys(record)
    .filter((key) => !known.has(key))
    .map((key) => `${childPath(path, key)} is not stored (${WHY_NOT_STORED[key] ?? "not a key Waymark reads"}); ignored`);
}

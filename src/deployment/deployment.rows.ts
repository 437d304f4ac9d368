import { dateOf, jsonOf, jsonParam, type WriteSql } from "../db/sql";
import type { JsonObject, JsonValue } from "../json-limits";
import { DeploymentEntity } from "./deployment.entity";
import type { SettingsPatch } from "./settings";

/** The columns of DeploymentEntity, read by the write path without TypeORM's hydration. */
export const DEPLOYMENT_COLUMNS =
  "id, workspace_id, flow_name, name, paused, schedules, concurrency_limit, concurrency_options, live_version_id, last_number, created_at, updated_at";

export interface DeploymentRow {
  id: number; workspace_id: number; flow_name: string; name: string; paused: number | boolean;
  schedules: unknown; concurrency_limit: number | null; concurrency_options: unknown;
  live_version_id: number | null; last_number: number; created_at: unknown; updated_at: unknown;
}

export function deploymentOf(row: DeploymentRow): DeploymentEntity {
  return Object.assign(new DeploymentEntity(), {
    id: Number(row.id), workspaceId: Number(row.workspace_id), flowName: row.flow_name, name: row.name,
    paused: Boolean(Number(row.paused)), schedules: jsonOf<JsonValue[]>(row.schedules),
    concurrencyLimit: row.concurrency_limit == null ? null : Number(row.concurrency_limit),
    concurrencyOptions: row.concurrency_options == null ? null : jsonOf<JsonObject>(row.concurrency_options),
    liveVersionId: row.live_version_id == null ? null : Number(row.live_version_id),
    lastNumber: Number(row.last_number), createdAt: dateOf(row.created_at), updatedAt: dateOf(row.updated_at),
  });
}

/** Inserts a new deployment row (no versions yet) and returns it with its id. */
export async function insertDeployment(sql: WriteSql, fields: Omit<DeploymentEntity, "id" | "workspace" | "liveVersion">): Promise<DeploymentEntity> {
  const { insertId } = await sql.run(
    "INSERT INTO deployment (workspace_id, flow_name, name, paused, schedules, concurrency_limit, concurrency_options, live_version_id, last_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [
      fields.workspaceId, fields.flowName, fields.name, fields.paused ? 1 : 0, jsonParam(fields.schedules), fields.concurrencyLimit,
      jsonParam(fields.concurrencyOptions), fields.liveVersionId, fields.lastNumber, fields.createdAt.getTime(), fields.updatedAt.getTime(),
    ],
  );
  return Object.assign(new DeploymentEntity(), fields, { id: insertId });
}

const SETTING_COLUMNS = { paused: "paused", schedules: "schedules", concurrencyLimit: "concurrency_limit", concurrencyOptions: "concurrency_options" } as const;

/**
 * `UPDATE deployment SET …` for the settings a request named plus the given assignments;
 * returns the statement and its parameters (the caller decides when to send it).
 */
export function updateDeploymentSql(id: number, settings: SettingsPatch, assignments: Array<[column: string, value: unknown]>): [string, unknown[]] {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, column] of Object.entries(SETTING_COLUMNS) as Array<[keyof SettingsPatch, string]>) {
    if (!(key in settings)) continue;
    const value = settings[key];
    sets.push(`${column} = ?`);
    params.push(key === "paused" ? (value ? 1 : 0) : key === "concurrencyLimit" ? value : jsonParam(value));
  }
  for (const [column, value] of assignments) {
    sets.push(`${column} = ?`);
    params.push(value);
  }
  return [`UPDATE deployment SET ${sets.join(", ")} WHERE id = ?`, [...params, id]];
}

import { jsonParam, type WriteSql } from "../db/sql";
import type { VersionEntity } from "./version.entity";

const COLUMNS: Array<[column: string, value: (v: VersionEntity) => unknown]> = [
  ["deployment_id", (v) => v.deploymentId], ["number", (v) => v.number], ["version", (v) => v.version],
  ["entrypoint", (v) => v.entrypoint], ["description", (v) => v.description], ["tags", (v) => jsonParam(v.tags)],
  ["labels", (v) => jsonParam(v.labels)], ["parameters", (v) => jsonParam(v.parameters)],
  ["parameter_openapi_schema", (v) => jsonParam(v.parameterOpenapiSchema)], ["enforce_parameter_schema", (v) => (v.enforceParameterSchema ? 1 : 0)],
  ["work_pool_name", (v) => v.workPoolName], ["work_queue_name", (v) => v.workQueueName], ["job_variables", (v) => jsonParam(v.jobVariables)],
  ["pull_steps", (v) => jsonParam(v.pullSteps)], ["content_hash", (v) => v.contentHash], ["source_type", (v) => v.sourceType],
  ["source_version", (v) => v.sourceVersion], ["source_commit_sha", (v) => v.sourceCommitSha], ["source_branch", (v) => v.sourceBranch],
  ["source_repository", (v) => v.sourceRepository], ["source_url", (v) => v.sourceUrl], ["source_message", (v) => v.sourceMessage],
  ["created_at", (v) => v.createdAt.getTime()], ["created_by", (v) => v.createdBy],
];

const INSERT_VERSION = `INSERT INTO deployment_version (${COLUMNS.map(([c]) => c).join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`;

/** Inserts a version row (every column but the generated id); returns the new id. */
export async function insertVersion(sql: WriteSql, version: VersionEntity): Promise<number> {
  return (await sql.run(INSERT_VERSION, COLUMNS.map(([, value]) => value(version)))).insertId;
}

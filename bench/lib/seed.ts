import { createConnection } from "mysql2/promise";
import { authHeader, gql } from "./infra";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"ab".repeat(32)}`;

/** A realistic createVersion input: pinned git_clone, image by digest, GitHub source info. */
export function versionInput(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    entrypoint: "flows/etl.py:main",
    description: "Nightly ETL",
    tags: ["etl", "prod"],
    parameters: { date: "today", retries: 3 },
    workPoolName: "k8s",
    jobVariables: { image: `registry.example.com/acme/etl@${DIGEST}`, cpu: "500m" },
    pullSteps: [{ "prefect.deployments.steps.git_clone": { repository: "https://github.com/acme/etl.git", commit_sha: SHA } }],
    sourceInfo: {
      type: "GITHUB",
      commitSha: SHA,
      branch: "main",
      repository: "acme/etl",
      url: `https://github.com/acme/etl/tree/${SHA}`,
      message: "Fix the nightly join",
    },
    ...extra,
  };
}

export const CREATE = `mutation C($input: CreateVersionInput!) { createVersion(input: $input) { deployment { id } version { id number } } }`;

/**
 * A deployment with `count` versions: version 1 through the API (so every column is what the
 * server writes), the rest copied from it in SQL with their own commit SHAs, numbers and times.
 * The newest version is live. Returns the public deployment id.
 */
export async function seedDeployment(url: string, dbUrl: string, name: string, count: number): Promise<string> {
  const created = await gql(url, CREATE, { input: versionInput({ flowName: "etl", name }) }, authHeader());
  const deploymentId: string = created.createVersion.deployment.id;
  const key = Number(deploymentId.slice("dep_".length));
  if (count > 1) {
    const c = await createConnection({ uri: dbUrl, multipleStatements: true });
    try {
      const cols = `deployment_id, number, version, entrypoint, description, tags, labels, parameters, parameter_openapi_schema,
        enforce_parameter_schema, work_pool_name, work_queue_name, job_variables, pull_steps, content_hash, source_type,
        source_version, source_commit_sha, source_branch, source_repository, source_url, source_message, created_at, created_by`;
      for (let from = 2; from <= count; from += 50_000) {
        const to = Math.min(count, from + 49_999);
        await c.query(
          `INSERT INTO deployment_version (${cols})
           SELECT v.deployment_id, s.seq, LEFT(SHA1(s.seq), 8), v.entrypoint, v.description, v.tags, v.labels, v.parameters,
             v.parameter_openapi_schema, v.enforce_parameter_schema, v.work_pool_name, v.work_queue_name, v.job_variables,
             REPLACE(v.pull_steps, ?, SHA1(s.seq)), v.content_hash, v.source_type, v.source_version, SHA1(s.seq),
             v.source_branch, v.source_repository, REPLACE(v.source_url, ?, SHA1(s.seq)), v.source_message,
             v.created_at + s.seq * 1000, v.created_by
           FROM deployment_version v JOIN seq_${from}_to_${to} s WHERE v.deployment_id = ? AND v.number = 1`,
          [SHA, SHA, key],
        );
      }
      await c.query(
        `UPDATE deployment d SET d.last_number = ?, d.live_version_id = (SELECT id FROM deployment_version WHERE deployment_id = ? AND number = ?) WHERE d.id = ?`,
        [count, key, count, key],
      );
      await c.query("ANALYZE TABLE deployment_version");
    } finally {
      await c.end();
    }
  }
  return deploymentId;
}

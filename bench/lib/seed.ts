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

/**
 * A store of `deployments` deployments of `versions` versions each, all in SQL but the first
 * deployment's version 1 (made through the API, so every column is what the server writes):
 * the deployments are copies of its row named d0000, d0001…, the versions copies of its version
 * with their own numbers, commit SHAs and times, inserted a batch of deployments at a time. The
 * newest version of each is live. Returns the deployments' public ids, d0000 first.
 */
export async function seedStore(url: string, dbUrl: string, deployments: number, versions: number): Promise<string[]> {
  const template = Number((await seedDeployment(url, dbUrl, "d0000", 1)).slice("dep_".length));
  const c = await createConnection({ uri: dbUrl });
  try {
    const [columns] = await c.query(
      `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'deployment'
       AND COLUMN_NAME NOT IN ('id', 'name') AND EXTRA NOT LIKE '%GENERATED%'`,
    );
    const cols = (columns as Array<{ name: string }>).map((r) => `\`${r.name}\``).join(", ");
    if (deployments > 1) {
      await c.query(
        `INSERT INTO deployment (${cols}, name) SELECT ${cols}, CONCAT('d', LPAD(s.seq, 4, '0')) FROM deployment JOIN seq_1_to_${deployments - 1} s WHERE id = ?`,
        [template],
      );
    }
    const [rows] = await c.query("SELECT id FROM deployment ORDER BY id");
    const keys = (rows as Array<{ id: number }>).map((r) => r.id);
    const vcols = `deployment_id, number, version, entrypoint, description, tags, labels, parameters, parameter_openapi_schema,
      enforce_parameter_schema, work_pool_name, work_queue_name, job_variables, pull_steps, content_hash, source_type,
      source_version, source_commit_sha, source_branch, source_repository, source_url, source_message, created_at, created_by`;
    const sha = "SHA1(CONCAT(d.id, '-', s.seq))";
    const batch = Math.max(1, Math.floor(50_000 / versions));
    for (let i = 0; i < keys.length; i += batch) {
      const [lo, hi] = [keys[i]!, keys[Math.min(keys.length, i + batch) - 1]!];
      await c.query(
        `INSERT INTO deployment_version (${vcols})
         SELECT d.id, s.seq, LEFT(${sha}, 8), v.entrypoint, v.description, v.tags, v.labels, v.parameters,
           v.parameter_openapi_schema, v.enforce_parameter_schema, v.work_pool_name, v.work_queue_name, v.job_variables,
           REPLACE(v.pull_steps, ?, ${sha}), v.content_hash, v.source_type, v.source_version, ${sha},
           v.source_branch, v.source_repository, REPLACE(v.source_url, ?, ${sha}), v.source_message,
           v.created_at + s.seq * 1000, v.created_by
         FROM deployment_version v JOIN deployment d JOIN seq_1_to_${versions} s
         WHERE v.deployment_id = ? AND v.number = 1 AND d.id BETWEEN ? AND ? AND NOT (d.id = ? AND s.seq = 1)`,
        [SHA, SHA, template, lo, hi, template],
      );
    }
    // The revision moves too, so that no answer the server cached of the template stands.
    await c.query(
      `UPDATE deployment d JOIN deployment_version v ON v.deployment_id = d.id AND v.number = ?
       SET d.live_version_id = v.id, d.last_number = ?, d.revision = d.revision + 1`,
      [versions, versions],
    );
    await c.query("ANALYZE TABLE deployment, deployment_version");
    return keys.map((key) => `dep_${key}`);
  } finally {
    await c.end();
  }
}

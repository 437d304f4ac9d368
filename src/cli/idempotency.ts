import { createHash, randomUUID } from "node:crypto";
import { envValue, type Env } from "./env";

interface CiRun {
  platform: string;
  marker: string;
  /** Identify the run attempt; all must be set to derive a key. */
  run: readonly string[];
  /**
   * Where the run ids are unique: Bitbucket build numbers count per repository and Azure build ids
   * per organisation, so without these two repositories deploying into one workspace would collide.
   */
  scope: readonly string[];
}

// Same order as source-info detection (docs/design.md, "Source info detection").
const CI_RUNS: readonly CiRun[] = [
  {
    platform: "github",
    marker: "GITHUB_ACTIONS",
    run: ["GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"],
    scope: ["GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_JOB"],
  },
  {
    platform: "gitlab",
    marker: "GITLAB_CI",
    run: ["CI_PIPELINE_ID", "CI_JOB_ID"],
    scope: ["CI_SERVER_URL", "CI_PROJECT_ID"],
  },
  {
    platform: "bitbucket",
    marker: "BITBUCKET_BUILD_NUMBER",
    run: ["BITBUCKET_BUILD_NUMBER"],
    scope: ["BITBUCKET_WORKSPACE", "BITBUCKET_REPO_UUID", "BITBUCKET_REPO_FULL_NAME", "BITBUCKET_STEP_UUID"],
  },
  {
    platform: "azure",
    marker: "TF_BUILD",
    run: ["BUILD_BUILDID", "SYSTEM_JOBATTEMPT"],
    scope: ["SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECTID", "SYSTEM_JOBID"],
  },
];

export interface DeploymentName {
  flowName: string;
  name: string;
}

/**
 * An idempotency key derived from the CI run and the deployment, so a retried job step that already
 * reached the server gets its first result back instead of a second version; a re-run (new attempt)
 * deploys anew. Null outside CI, or on a CI platform whose run ids are missing.
 */
export function ciIdempotencyKey(env: Env, deployment: DeploymentName): string | null {
  const ci = CI_RUNS.find((c) => envValue(env, c.marker) !== null);
  if (!ci) return null;
  const run = ci.run.map((name) => envValue(env, name));
  if (run.some((value) => value === null)) return null;
  const scope = ci.scope.map((name) => envValue(env, name));
  const digest = createHash("sha256")
    .update(JSON.stringify([ci.platform, ...run, ...scope, deployment.flowName, deployment.name]))
    .digest("hex");
  return `ci-${ci.platform}-${run.join("-")}-${digest.slice(0, 32)}`;
}

/**
 * The key the CLI sends: the CI-derived one, else a random one made once per invocation, so that the
 * CLI's own retries after a network error are still safe.
 */
export function idempotencyKeyFor(
  env: Env,
  deployment: DeploymentName,
  randomId: () => string = randomUUID,
): string {
  return ciIdempotencyKey(env, deployment) ?? `cli-${randomId()}`;
}

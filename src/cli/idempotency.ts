import { createHash, randomUUID } from "node:crypto";
import { envValue, type Env } from "./env";
import { presentCi } from "./source-info/detect";

export interface DeploymentName {
  flowName: string;
  name: string;
  /** What is done to it, when not a deploy (e.g. a rollback and its target): part of the key. */
  operation?: string;
}

/**
 * An idempotency key derived from the CI run and the deployment, so a retried job step that already
 * reached the server gets its first result back instead of a second version; a re-run (new attempt)
 * deploys anew. Null outside CI, or on a CI platform whose run ids are missing.
 */
export function ciIdempotencyKey(env: Env, deployment: DeploymentName): string | null {
  const ci = presentCi(env)?.run;
  if (!ci) return null;
  const run = ci.ids.map((name) => envValue(env, name));
  if (run.some((value) => value === null)) return null;
  const scope = ci.scope.map((name) => envValue(env, name));
  const digest = createHash("sha256")
    .update(
      JSON.stringify([
        ci.platform,
        ...run,
        ...scope,
        deployment.flowName,
        deployment.name,
        ...(deployment.operation === undefined ? [] : [deployment.operation]),
      ]),
    )
    .digest("hex");
  return `ci-${ci.platform}-${run.join("-")}-${digest.slice(0, 32)}`;
}

/**
 * The key the CLI sends: the CI-derived one, else a random one made once per invocation, so that the
 * CLI's own retries after a network error are still safe.
 */
export function idempotencyKeyFor(env: Env, deployment: DeploymentName, randomId: () => string = randomUUID): string {
  return ciIdempotencyKey(env, deployment) ?? `cli-${randomId()}`;
}

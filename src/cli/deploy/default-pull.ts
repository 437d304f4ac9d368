import { realpathSync } from "node:fs";
import { basename, resolve } from "node:path";
import { isPlainObject } from "../template";

const SET_WORKING_DIRECTORY = "prefect.deployments.steps.set_working_directory";
const BUILD_DOCKER_IMAGE = "prefect_docker.deployments.steps.build_docker_image";

const step = (directory: string) => [{ [SET_WORKING_DIRECTORY]: { directory } }];

/**
 * The pull steps Prefect 3's `prefect deploy` writes when neither the deployment nor the file has a
 * `pull` section, run without prompts (_generate_default_pull_action in PrefectHQ/prefect,
 * src/prefect/cli/deploy/_actions.py):
 * - a `build_docker_image` build step with `dockerfile: auto` → `/opt/prefect/<name of the working directory>`,
 *   where Prefect's generated Dockerfile copies the project; with a Dockerfile of its own → no pull steps;
 * - else an `image` job variable → `/opt/prefect`, with Prefect's warning;
 * - else the working directory itself, symlinks resolved.
 * `pull: []` is an explicit "no pull steps" and never reaches here.
 */
export function defaultPullSteps(
  deployment: Record<string, unknown>,
  fileBuild: unknown,
  cwd: string,
  path: string,
  warnings: string[],
): unknown[] | undefined {
  const build = nonEmpty(deployment.build) ?? nonEmpty(fileBuild);
  const docker = Array.isArray(build) ? build.map(dockerBuildOf).find((s) => s !== undefined) : undefined;
  if (docker) return docker.dockerfile === "auto" ? step(`/opt/prefect/${basename(realCwd(cwd))}`) : undefined;
  const pool = deployment.work_pool;
  const image = isPlainObject(pool) && isPlainObject(pool.job_variables) ? pool.job_variables.image : undefined;
  if (image) {
    warnings.push(
      `${path}.pull: none in the file and an image is set, so the working directory is /opt/prefect (as Prefect does); ` +
        "if the flow code is elsewhere in the image, add a set_working_directory pull step",
    );
    return step("/opt/prefect");
  }
  return step(realCwd(cwd));
}

/** Prefect reads the first `build` that is not empty: the deployment's, else the file's. */
const nonEmpty = (value: unknown) => (value === null || value === undefined || (Array.isArray(value) && value.length === 0) ? undefined : value);

function dockerBuildOf(buildStep: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(buildStep)) return undefined;
  const inputs = buildStep[BUILD_DOCKER_IMAGE];
  return isPlainObject(inputs) && Object.keys(inputs).length > 0 ? inputs : undefined;
}

function realCwd(cwd: string): string {
  try {
    return realpathSync(resolve(cwd));
  } catch {
    return resolve(cwd);
  }
}

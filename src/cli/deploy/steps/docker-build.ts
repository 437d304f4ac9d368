import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { StepArgs, StepFailure, type StepContext, type StepInputs } from "./context";
import { checkBuildBackend, defaultTag, docker, withOutputFile } from "./docker-cli";
import { pushImage, PUSH_INPUTS } from "./docker-push";

/** docker-py build arguments Prefect passes through (`**build_kwargs`), and the CLI flag each becomes. */
const BUILD_FLAGS: Record<string, (value: unknown, args: StepArgs, key: string) => string[]> = {
  buildargs: (_v, args, key) => Object.entries(args.stringMap(key)).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
  labels: (_v, args, key) => Object.entries(args.stringMap(key)).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
  platform: (_v, args, key) => ["--platform", args.string(key)],
  target: (_v, args, key) => ["--target", args.string(key)],
  network_mode: (_v, args, key) => ["--network", args.string(key)],
  cache_from: (_v, args, key) => args.strings(key).flatMap((c) => ["--cache-from", c]),
  extra_hosts: (_v, args, key) => Object.entries(args.stringMap(key)).flatMap(([h, ip]) => ["--add-host", `${h}:${ip}`]),
  nocache: (_v, args, key) => (args.boolean(key, false) ? ["--no-cache"] : []),
  // Prefect builds with pull=True unless told otherwise.
  pull: (_v, args, key) => [`--pull=${args.boolean(key, true)}`],
  rm: () => [],
  forcerm: () => [],
};
// persist_dockerfile and dockerfile_output_path only act with dockerfile: auto, which is refused.
const OWN_INPUTS = [
  "image_name",
  "dockerfile",
  "tag",
  "additional_tags",
  "ignore_cache",
  "path",
  "push",
  "credentials",
  "build_backend",
  "persist_dockerfile",
  "dockerfile_output_path",
];
export const BUILD_INPUTS: readonly string[] = [...OWN_INPUTS, ...Object.keys(BUILD_FLAGS)];

export interface BuildFlavour {
  /** `prefect_docker.projects.steps.build_docker_image` pushed by default and named `name:tag` image_name. */
  legacy: boolean;
}

/**
 * `prefect_docker.deployments.steps.build_docker_image` through the docker CLI: same inputs and
 * defaults (dockerfile `Dockerfile`, tag from the time, pull on, context the working directory) and
 * outputs `image_name`, `tag`, `image` (`name:tag`), `image_id`, `additional_tags`. `push: true`
 * (prefect-docker 0.3's form) also pushes, and adds `digest`.
 */
export async function buildDockerImage(inputs: StepInputs, context: StepContext, flavour: BuildFlavour): Promise<Record<string, unknown>> {
  const args = new StepArgs(inputs, BUILD_INPUTS);
  checkBuildBackend(args);
  const imageName = args.string("image_name");
  const contextDir = resolve(context.cwd, args.string("path", "."));
  const dockerfile = dockerfileOf(args.string("dockerfile", "Dockerfile"), contextDir);
  const tag = args.optionalString("tag") || defaultTag(context.now());
  const additionalTags = args.strings("additional_tags");
  const flags = Object.keys(BUILD_FLAGS).flatMap((key) => (key === "pull" || args.has(key) ? (BUILD_FLAGS[key]?.(args.raw(key), args, key) ?? []) : []));
  const imageId = await withOutputFile((file) =>
    docker(context, ["build", "--iidfile", file, "-f", dockerfile, "-t", `${imageName}:${tag}`, ...flags, contextDir]),
  );
  if (!imageId) throw new StepFailure(`${context.docker} build reported no image id`);
  for (const extra of additionalTags) await docker(context, ["tag", imageId, `${imageName}:${extra}`]);
  const built = flavour.legacy
    ? { image_name: `${imageName}:${tag}`, image_tag: tag }
    : { image_name: imageName, tag, image_tag: tag, image: `${imageName}:${tag}`, image_id: imageId, additional_tags: additionalTags };
  if (!args.boolean("push", flavour.legacy)) return built;
  const pushInputs = Object.fromEntries(PUSH_INPUTS.filter((k) => inputs[k] !== undefined).map((k) => [k, inputs[k]]));
  const pushed = await pushImage({ ...pushInputs, image_name: imageName, tag }, context);
  return { ...built, digest: pushed.digest };
}

/**
 * `dockerfile: auto` makes Prefect write a Dockerfile `FROM` its own image for the Prefect and Python
 * versions of the machine that deploys; Waymark cannot know those, so it says what to write instead.
 */
function dockerfileOf(dockerfile: string, contextDir: string): string {
  if (dockerfile !== "auto") return resolve(contextDir, dockerfile);
  const dir = basename(contextDir);
  const requirements = existsSync(resolve(contextDir, "requirements.txt"))
    ? [`COPY requirements.txt /opt/prefect/${dir}/requirements.txt`, `RUN python -m pip install -r /opt/prefect/${dir}/requirements.txt`]
    : [];
  const lines = [
    "FROM prefecthq/prefect:3-python3.12   # the Prefect and Python versions your flows use",
    ...requirements,
    `COPY . /opt/prefect/${dir}/`,
    `WORKDIR /opt/prefect/${dir}/`,
  ];
  throw new StepFailure(
    "dockerfile: auto is not supported: its base image depends on the Prefect and Python versions installed where `prefect deploy` runs. " +
      `Write this Dockerfile (what Prefect would generate) next to prefect.yaml and set dockerfile: Dockerfile:\n${lines.map((l) => `      ${l}`).join("\n")}`,
  );
}

import { StepArgs, StepFailure, type StepContext, type StepInputs } from "./context";
import { checkBuildBackend, docker, isPodman, withOutputFile } from "./docker-cli";

export const PUSH_INPUTS: readonly string[] = ["image_name", "tag", "credentials", "additional_tags", "ignore_cache", "build_backend"];
const DIGEST = /\bdigest: (sha256:[0-9a-f]{64})\b/;
const BLOCK = /^\{\{\s*prefect\.blocks?\.[^{}]+\}\}$/;

/**
 * `prefect_docker.deployments.steps.push_docker_image` through the docker CLI: logs in with
 * `credentials` when they are given as a mapping, pushes `image_name:tag` and each additional tag, and
 * outputs `image_name`, `tag`, `image`, `additional_tags` as prefect-docker does, plus `digest`: the
 * `sha256:…` the registry stored, which `--pin-images` writes into the deployment's image.
 */
export async function pushDockerImage(inputs: StepInputs, context: StepContext): Promise<Record<string, unknown>> {
  const args = new StepArgs(inputs, PUSH_INPUTS);
  checkBuildBackend(args);
  const imageName = args.string("image_name");
  // Without a tag prefect-docker pushes every tag of the repository; one image has one digest to record.
  const tag = args.optionalString("tag");
  if (!tag) throw new StepFailure(`tag is required here, e.g. tag: "{{ build-image.tag }}" (without it Prefect pushes every local tag of ${imageName})`);
  const additionalTags = args.strings("additional_tags");
  await login(args.raw("credentials"), context);
  const { digest } = await pushImage({ image_name: imageName, tag }, context);
  for (const extra of additionalTags) await pushOne(`${imageName}:${extra}`, context);
  return { image_name: imageName, tag, image: `${imageName}:${tag}`, additional_tags: additionalTags, digest };
}

/** Pushes one image (the build step's `push: true` comes here too) and records its digest. */
export async function pushImage(inputs: StepInputs, context: StepContext): Promise<{ digest: string }> {
  const args = new StepArgs(inputs, PUSH_INPUTS);
  if (args.has("credentials")) await login(args.raw("credentials"), context);
  const digest = await pushOne(`${args.string("image_name")}:${args.string("tag")}`, context);
  return { digest };
}

async function pushOne(image: string, context: StepContext): Promise<string> {
  let digest: string;
  if (await isPodman(context)) {
    digest = await withOutputFile((file) => docker(context, ["push", "--digestfile", file, image]));
  } else {
    const result = await docker(context, ["push", image]);
    digest = DIGEST.exec(result.stdout + result.stderr)?.[1] ?? (await repoDigest(image, context));
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new StepFailure(`${context.docker} push ${image} reported no digest`);
  context.pushed.set(image, digest);
  return digest;
}

/** The digest the local image records for its repository, for CLIs that print none on push. */
async function repoDigest(image: string, context: StepContext): Promise<string> {
  const result = await docker(context, ["image", "inspect", "--format", "{{json .RepoDigests}}", image]);
  const repository = image.slice(0, image.lastIndexOf(":"));
  const digests = JSON.parse(result.stdout.trim() || "[]") as string[];
  return digests.find((d) => d.startsWith(`${repository}@`))?.slice(repository.length + 1) ?? "";
}

/**
 * `credentials` as a mapping (`username`, `password`, `registry_url`) logs in, the password on stdin.
 * A `{{ prefect.blocks.* }}` block cannot be read here: the pipeline logs in itself (`docker login`).
 */
async function login(credentials: unknown, context: StepContext): Promise<void> {
  if (credentials === undefined || credentials === null) return;
  if (typeof credentials === "string" && BLOCK.test(credentials.trim())) {
    context.log(
      `waymark: warning: credentials ${credentials.trim()} is a Prefect block, which waymark cannot read; pushing with the CLI's own login (run \`${context.docker} login\` before deploying)\n`,
    );
    return;
  }
  if (typeof credentials !== "object" || Array.isArray(credentials)) {
    throw new StepFailure("credentials must be a mapping with username, password and registry_url, or a {{ prefect.blocks.* }} block");
  }
  const args = new StepArgs(credentials as StepInputs, ["username", "password", "registry_url", "reauth"]);
  const registry = args.optionalString("registry_url");
  await docker(context, ["login", "--username", args.string("username"), "--password-stdin", ...(registry ? [registry] : [])], args.string("password"));
}

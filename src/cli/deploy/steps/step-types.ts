import type { StepContext, StepFunction, StepInputs } from "./context";
import { BUILD_INPUTS, buildDockerImage } from "./docker-build";
import { PUSH_INPUTS, pushDockerImage } from "./docker-push";
import { runShellScript, SHELL_INPUTS } from "./shell";

export interface StepType {
  run: StepFunction;
  /** The inputs it takes, and those it cannot do without: checked before any step runs. */
  inputs: readonly string[];
  /** Each required input, with what to tell a file that lacks it. */
  required: Readonly<Record<string, string>>;
  /** The output keys a step of this type will have, known before it runs. */
  outputs: (inputs: StepInputs) => readonly string[];
  /** prefect-docker caches its steps by input, so several deployments sharing a build build once. */
  cached: boolean;
}

const pushes = (inputs: StepInputs, byDefault: boolean) => (typeof inputs.push === "boolean" ? inputs.push : byDefault);

const SHELL: StepType = { run: runShellScript, inputs: SHELL_INPUTS, required: { script: "" }, outputs: () => ["stdout", "stderr"], cached: false };
const BUILD: StepType = {
  run: (inputs, context: StepContext) => buildDockerImage(inputs, context, { legacy: false }),
  inputs: BUILD_INPUTS,
  required: { image_name: "" },
  outputs: (inputs) => ["image_name", "tag", "image_tag", "image", "image_id", "additional_tags", ...(pushes(inputs, false) ? ["digest"] : [])],
  cached: true,
};
const LEGACY_BUILD: StepType = {
  run: (inputs, context: StepContext) => buildDockerImage(inputs, context, { legacy: true }),
  inputs: BUILD_INPUTS,
  required: { image_name: "" },
  outputs: (inputs) => ["image_name", "image_tag", ...(pushes(inputs, true) ? ["digest"] : [])],
  cached: true,
};
const PUSH: StepType = {
  run: pushDockerImage,
  inputs: PUSH_INPUTS,
  // Without a tag prefect-docker pushes every tag of the repository; one image has one digest to record.
  required: { image_name: "", tag: ', e.g. tag: "{{ build-image.tag }}" (without it Prefect pushes every local tag of the image)' },
  outputs: () => ["image_name", "tag", "image", "additional_tags", "digest"],
  cached: true,
};

/** The build and push steps Waymark runs itself; any other step is the pipeline's work (`--skip-build`/`--skip-push`). */
export const STEP_TYPES: Readonly<Record<string, StepType>> = {
  "prefect.deployments.steps.run_shell_script": SHELL,
  "prefect.deployments.steps.utility.run_shell_script": SHELL,
  "prefect_docker.deployments.steps.build_docker_image": BUILD,
  "prefect_docker.deployments.steps.push_docker_image": PUSH,
  "prefect_docker.projects.steps.build_docker_image": LEGACY_BUILD,
  "prefect_docker.projects.steps.push_docker_image": PUSH,
};

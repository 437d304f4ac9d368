import { loadDeploymentFile, parseAndSelect, type CreateVersionInputDraft, type LoadDeploymentsOptions, type LoadedFile } from "../../deploy-file";
import { UsageError } from "../../errors";
import { emptyOutputs, type StepOutputs } from "../step-outputs";
import type { StepContext } from "./context";
import { planSteps, runSteps, type StepOptions } from "./run-steps";

export type { StepContext } from "./context";
export { dockerCommandOf } from "./docker-cli";
export { spawnProcess, type ProcessRunner } from "./process";
export type { StepOptions } from "./run-steps";

/**
 * The whole local half of `waymark deploy`: checks the file with its step outputs still unknown (so a
 * typo fails before a long build), runs the build and push steps, then reads every selected deployment
 * with their outputs. All or nothing: any problem (with `strict`, any warning) throws before anything
 * is sent to the server.
 */
export async function prepareDeployments(fileText: string, load: LoadDeploymentsOptions, options: StepOptions, context: StepContext): Promise<LoadedFile> {
  const fileName = load.fileName ?? "prefect.yaml";
  const { file, selected } = parseAndSelect(fileText, load);
  const problems: string[] = [];
  const planned = planSteps(file, selected, options, problems);
  problems.push(...problemsOf(() => loadDeploymentFile(fileText, { ...load, stepOutputs: outputsAt(planned) })));
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new UsageError(`${fileName}: ${unique.length} problem(s); nothing was deployed`, unique);
  }
  const outputs = await runSteps(file, selected, options, context);
  return loadDeploymentFile(fileText, { ...load, stepOutputs: outputsAt(outputs) });
}

const outputsAt = (byIndex: Map<number, StepOutputs>) => (index: number) => byIndex.get(index) ?? emptyOutputs();

function problemsOf(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof UsageError && error.problems.length > 0) return [...error.problems];
    throw error;
  }
}

/**
 * `--pin-images`: a deployment whose `job_variables.image` is an image pushed in this run gets
 * `name@sha256:…` instead, so its code pin holds. An image that is neither pushed here nor already a
 * digest is a problem (pinning it would need a digest nobody reported).
 */
export function pinImages(drafts: CreateVersionInputDraft[], pushed: ReadonlyMap<string, string>): CreateVersionInputDraft[] {
  const problems: string[] = [];
  const pinned = drafts.map((draft) => {
    const image = draft.jobVariables?.image;
    if (typeof image !== "string" || /@sha256:[0-9a-f]{64}$/i.test(image)) return draft;
    const digest = pushed.get(image);
    if (digest) return { ...draft, jobVariables: { ...draft.jobVariables, image: `${image.slice(0, image.lastIndexOf(":"))}@${digest}` } };
    problems.push(
      `${draft.flowName}/${draft.name}: --pin-images: job_variables.image ${image} was not pushed by a push step of this deploy; ` +
        'write it as "name@{{ push-step-id.digest }}" or as a digest, or leave out --pin-images',
    );
    return draft;
  });
  if (problems.length > 0) throw new UsageError("cannot pin images; nothing was deployed", problems);
  return pinned;
}

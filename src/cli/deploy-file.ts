import { validatePullSteps } from "../version/code-pin";
import type { CreateVersionInputDraft } from "./deploy/version-input";
import { parseDeployFile, pullStepsAt } from "./deploy/parse";
import { selectDeployments, type Candidate } from "./deploy/select";
import { toVersionInput } from "./deploy/to-input";
import type { Env } from "./env";
import { UsageError } from "./errors";
import { keptRuntimeEnv, lookupOutput, resolvePullTemplates, type StepOutputs } from "./deploy/step-outputs";
import { isPlainObject, resolveTemplates, type TemplateOptions, type TemplateProblem } from "./template";

export type { CreateVersionInputDraft, DeploymentSettingsDraft } from "./deploy/version-input";

export interface LoadDeploymentsOptions {
  env: Env;
  /** `--name` values: a deployment name or `flow/name`; none selects every deployment. */
  names?: readonly string[];
  /** `--flow-name` and `--version`: flags beat file keys. */
  flowNameOverride?: string | null;
  versionOverride?: string | null;
  /** How problems name the file. */
  fileName?: string;
  /** Outputs of the build and push steps of the deployment at this index of the file. */
  stepOutputs?: (index: number) => StepOutputs;
  /** `--runtime-env` and `--allow-empty` names. */
  runtimeEnv?: readonly string[];
  allowEmpty?: readonly string[];
}

/**
 * Reads a prefect.yaml-shaped file into one CreateVersionInput draft per selected deployment, with
 * every `{{ $VAR }}` resolved from `env`. All or nothing: any problem anywhere in the selected
 * deployments (template, type, pull step) throws one UsageError listing all of them, so nothing is
 * sent to the server from a half-valid file.
 */
export function loadDeployments(fileText: string, options: LoadDeploymentsOptions): CreateVersionInputDraft[] {
  const fileName = options.fileName ?? "prefect.yaml";
  const file = parseDeployFile(fileText, fileName);
  const selected = selectDeployments(file.deployments, options.names ?? [], options.flowNameOverride);
  const problems: string[] = [];
  // The top-level pull is resolved for each deployment that uses it: step outputs differ per deployment.
  const inputs = selected.map((candidate) => inputOf(candidate, file.pull, options, problems));
  problems.push(...duplicateProblems(inputs, selected));
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new UsageError(`${fileName}: ${unique.length} problem(s); nothing was deployed`, unique);
  }
  return inputs;
}

/** Pull steps with templates resolved; validated only once resolved, so a problem is reported once. */
function resolvedPull(value: unknown, path: string, env: Env, options: TemplateOptions, problems: string[]): unknown[] | undefined {
  const { value: steps, problems: templateProblems } = resolvePullTemplates(value, env, path, options);
  problems.push(...messagesOf(templateProblems));
  const list = pullStepsAt(steps, path, problems);
  if (list && templateProblems.length === 0) problems.push(...validatePullSteps(list, path));
  return list;
}

const hasOwnPull = (candidate: Candidate) => candidate.record.pull !== undefined && candidate.record.pull !== null;
/** A deferred problem is a step output not known yet, while checking the file before any step runs. */
const messagesOf = (problems: TemplateProblem[]) => problems.filter((p) => !p.deferred).map((p) => p.message);

function inputOf(
  candidate: Candidate,
  sharedPull: unknown,
  options: LoadDeploymentsOptions,
  problems: string[],
): CreateVersionInputDraft {
  const path = `deployments[${candidate.index}]`;
  // build and push are steps, run before this (src/cli/deploy/steps); their templates are theirs.
  const { pull, build: _build, push: _push, ...rest } = candidate.record;
  const outputs = options.stepOutputs?.(candidate.index);
  const templateOptions: TemplateOptions = {
    allowEmpty: new Set(options.allowEmpty ?? []),
    ...(outputs ? { lookupOutput: (expression: string) => lookupOutput(outputs, expression) } : {}),
  };
  const runtimeEnv = new Set(options.runtimeEnv ?? []);
  const pullOptions = { ...templateOptions, runtimeEnv };
  const pullSteps = hasOwnPull(candidate)
    ? resolvedPull(pull, `${path}.pull`, options.env, pullOptions, problems)
    : resolvedPull(sharedPull, "pull", options.env, pullOptions, problems);
  const resolved = resolveTemplates(rest, options.env, path, templateOptions);
  problems.push(...messagesOf(resolved.problems));
  const record = isPlainObject(resolved.value) ? resolved.value : {};
  const context = {
    path,
    pullSteps,
    flowNameOverride: options.flowNameOverride,
    versionOverride: options.versionOverride,
  };
  const kept = keptRuntimeEnv(pullSteps, runtimeEnv);
  return { ...toVersionInput(record, context, problems), ...(kept.length > 0 ? { runtimeEnv: kept } : {}) };
}

function duplicateProblems(inputs: CreateVersionInputDraft[], selected: Candidate[]): string[] {
  const seen = new Map<string, number>();
  return inputs.flatMap((input, i) => {
    const key = `${input.flowName}/${input.name}`;
    const index = selected[i]?.index ?? i;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    return first === undefined ? [] : [`deployments[${index}] repeats ${key} of deployments[${first}]`];
  });
}

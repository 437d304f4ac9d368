import { validatePullSteps } from "../version/code-pin";
import type { CreateVersionInputDraft } from "./deploy/version-input";
import { parseDeployFile, pullStepsAt } from "./deploy/parse";
import { selectDeployments, type Candidate } from "./deploy/select";
import { toVersionInput } from "./deploy/to-input";
import type { Env } from "./env";
import { UsageError } from "./errors";
import { isPlainObject, resolveTemplates } from "./template";

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
  // The top-level pull is resolved once, and only when a selected deployment uses it.
  const sharedPull = selected.every(hasOwnPull) ? undefined : resolvedPull(file.pull, "pull", options.env, problems);
  const inputs = selected.map((candidate) => inputOf(candidate, sharedPull, options, problems));
  problems.push(...duplicateProblems(inputs, selected));
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new UsageError(`${fileName}: ${unique.length} problem(s); nothing was deployed`, unique);
  }
  return inputs;
}

/** Pull steps with templates resolved; validated only once resolved, so a problem is reported once. */
function resolvedPull(value: unknown, path: string, env: Env, problems: string[]): unknown[] | undefined {
  const { value: steps, problems: templateProblems } = resolveTemplates(value, env, path);
  problems.push(...templateProblems.map((p) => p.message));
  const list = pullStepsAt(steps, path, problems);
  if (list && templateProblems.length === 0) problems.push(...validatePullSteps(list, path));
  return list;
}

const hasOwnPull = (candidate: Candidate) => candidate.record.pull !== undefined && candidate.record.pull !== null;

function inputOf(
  candidate: Candidate,
  sharedPull: unknown[] | undefined,
  options: LoadDeploymentsOptions,
  problems: string[],
): CreateVersionInputDraft {
  const path = `deployments[${candidate.index}]`;
  const { pull, ...rest } = candidate.record;
  const resolved = resolveTemplates(rest, options.env, path);
  problems.push(...resolved.problems.map((p) => p.message));
  const record = isPlainObject(resolved.value) ? resolved.value : {};
  const pullSteps = hasOwnPull(candidate) ? resolvedPull(pull, `${path}.pull`, options.env, problems) : sharedPull;
  const context = {
    path,
    pullSteps,
    flowNameOverride: options.flowNameOverride,
    versionOverride: options.versionOverride,
  };
  return toVersionInput(record, context, problems);
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

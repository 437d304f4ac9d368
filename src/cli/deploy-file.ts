import { validatePullSteps } from "../version/code-pin";
import type { CreateVersionInputDraft } from "./deploy/version-input";
import { defaultPullSteps } from "./deploy/default-pull";
import { settlePlaceholders, stepIdsOf } from "./deploy/deploy-time";
import { flowNameInCode, type FlowName } from "./deploy/flow-name";
import { parseDeployFile, pullStepsAt, type DeployFile } from "./deploy/parse";
import { selectDeployments, type Candidate, type CodeFlowNames } from "./deploy/select";
import { isDeploymentKey, normalizeDeployment, type Reports } from "./deploy/shape";
import { toVersionInput } from "./deploy/to-input";
import { versionTypeOf } from "./deploy/version-type";
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
  /** `--version-type`: beats the file's `version_type`. */
  versionTypeOverride?: string | null;
  /** How problems name the file. */
  fileName?: string;
  /**
   * Where `prefect deploy` would run: entrypoints are read from here for their flow names, and a
   * deployment without pull steps gets Prefect's default one for it. Without it, neither happens.
   */
  workingDirectory?: string;
  /** `--variable` values by placeholder expression (see parseVariableFlags). */
  variables?: ReadonlyMap<string, string>;
  /** `--strict`: every warning is a problem. */
  strict?: boolean;
}

export interface LoadedDeployment {
  draft: CreateVersionInputDraft;
  /** Keys not stored, placeholders dropped, names that fell back: what the user should know. */
  warnings: string[];
  /** The source-info type this deployment forces (`--version-type` or `version_type`), if any. */
  versionType?: string;
}

export interface LoadedFile {
  deployments: LoadedDeployment[];
  /** Warnings about the file as a whole (its top-level keys). */
  warnings: string[];
}

/**
 * Reads a prefect.yaml-shaped file into one CreateVersionInput draft per selected deployment, with
 * every template settled (see resolveTemplates and settlePlaceholders). All or nothing: any problem
 * anywhere in the selected deployments (template, type, pull step; with `strict`, any warning) throws
 * one UsageError listing all of them, so nothing is sent to the server from a half-valid file.
 */
export function loadDeploymentFile(fileText: string, options: LoadDeploymentsOptions): LoadedFile {
  const fileName = options.fileName ?? "prefect.yaml";
  const file = parseDeployFile(fileText, fileName);
  const codeNames = codeFlowNames(options.workingDirectory);
  const selected = selectDeployments(file.deployments, options.names ?? [], options.flowNameOverride, codeNames);
  const problems: string[] = [];
  // The top-level pull is resolved once, and only when a selected deployment uses it.
  const sharedPull = selected.every(hasOwnPull) ? undefined : resolvedPull(file.pull, "pull", options.env, problems);
  const deployments = selected.map((candidate) => loadOne(candidate, { file, sharedPull, codeNames, options, problems }));
  problems.push(...duplicateProblems(deployments.map((d) => d.draft), selected));
  if (options.strict) {
    problems.push(...file.warnings, ...deployments.flatMap((d) => d.warnings));
  }
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new UsageError(`${fileName}: ${unique.length} problem(s); nothing was deployed`, unique);
  }
  return { deployments, warnings: file.warnings };
}

/** The drafts of loadDeploymentFile, without the warnings. */
export function loadDeployments(fileText: string, options: LoadDeploymentsOptions): CreateVersionInputDraft[] {
  return loadDeploymentFile(fileText, options).deployments.map((d) => d.draft);
}

/** Reads each entrypoint's code once, and not at all without a working directory. */
function codeFlowNames(cwd: string | undefined): CodeFlowNames {
  const cache = new Map<string, FlowName>();
  return (entrypoint) => {
    if (cwd === undefined || typeof entrypoint !== "string") return undefined;
    const known = cache.get(entrypoint);
    if (known) return known;
    const found = flowNameInCode(entrypoint, cwd);
    cache.set(entrypoint, found);
    return found;
  };
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

interface LoadContext {
  file: DeployFile;
  sharedPull: unknown[] | undefined;
  codeNames: CodeFlowNames;
  options: LoadDeploymentsOptions;
  problems: string[];
}

function loadOne(candidate: Candidate, context: LoadContext): LoadedDeployment {
  const { options, problems } = context;
  const path = `deployments[${candidate.index}]`;
  const reports: Reports = { problems, warnings: [] };
  const { pull, ...rest } = normalizeDeployment(withoutOverridden(candidate.record, options), path, reports);
  // Keys that are not stored (triggers, sla…) are reported, not resolved: their templates cannot fail the deploy.
  const read = Object.fromEntries(Object.entries(rest).filter(([key]) => isDeploymentKey(key)));
  const resolved = resolveTemplates(read, options.env, path, { unresolved: "keep" });
  problems.push(...resolved.problems.map((p) => p.message));
  const record = isPlainObject(resolved.value) ? resolved.value : {};
  let pullSteps = hasOwnPull(candidate) ? resolvedPull(pull, `${path}.pull`, options.env, problems) : context.sharedPull;
  if (pullSteps === undefined && options.workingDirectory !== undefined) {
    pullSteps = defaultPullSteps(record, context.file.build, options.workingDirectory, path, reports.warnings);
  }
  const stepIds = stepIdsOf(sectionOf(record.build, context.file.build), sectionOf(record.push, context.file.push));
  const settled = settlePlaceholders(record, path, { variables: options.variables ?? new Map(), stepIds, reports });
  const draft = toVersionInput(settled, {
    path,
    pullSteps,
    flowNameOverride: options.flowNameOverride,
    versionOverride: options.versionOverride,
    codeFlowName: context.codeNames(settled.entrypoint),
    warnings: reports.warnings,
  }, problems);
  const versionType = versionTypeOf(settled, path, options.versionTypeOverride, problems);
  return { draft, warnings: reports.warnings, ...(versionType ? { versionType } : {}) };
}

/** A deployment's own build or push section, else the file's, as Prefect picks them. */
const sectionOf = (own: unknown, shared: unknown) => (own === undefined ? shared : own);

/** A key a flag replaces is not read at all, as Prefect applies CLI options first: its placeholders need no value. */
function withoutOverridden(record: Record<string, unknown>, options: LoadDeploymentsOptions): Record<string, unknown> {
  const result = { ...record };
  if (options.flowNameOverride) delete result.flow_name;
  if (options.versionOverride) delete result.version;
  if (options.versionTypeOverride) delete result.version_type;
  return result;
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

import { validatePullSteps } from "../version/code-pin";
import type { CreateVersionInputDraft } from "./deploy/version-input";
import { defaultPullSteps } from "./deploy/default-pull";
import { settlePlaceholders, stepIdsOf } from "./deploy/deploy-time";
import { flowNameInCode, type FlowName } from "./deploy/flow-name";
import { typedPlaceholders } from "./deploy/lax";
import { unindentedSteps } from "./deploy/action-sections";
import { storedSecretWarnings } from "./deploy/stored-secrets";
import { parseDeployFile, pullStepsAt, type DeployFile } from "./deploy/parse";
import { lastOfEach, selectDeployments, type Candidate, type CodeFlowNames } from "./deploy/select";
import { isDeploymentKey, normalizeDeployment, type Reports } from "./deploy/shape";
import { keptRuntimeEnv, lookupOutput, resolvePullTemplates, type StepOutputs } from "./deploy/step-outputs";
import { toVersionInput } from "./deploy/to-input";
import { versionTypeOf } from "./deploy/version-type";
import { unsendableNumbers } from "./deploy/yaml11";
import type { Env } from "./env";
import { UsageError } from "./errors";
import { isPlainObject, resolveTemplates, type TemplateOptions, type TemplateProblem } from "./template";

export type { CreateVersionInputDraft, DeploymentSettingsDraft } from "./deploy/version-input";

export interface LoadDeploymentsOptions {
  env: Env;
  /** `--name` values: a deployment name or `flow/name`; none selects every deployment. */
  names?: readonly string[];
  /** The entrypoint argument (`waymark deploy ENTRYPOINT`), for the one deployment selected. */
  entrypointOverride?: string | null;
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
  /** Outputs of the build and push steps of the deployment at this index of the file. */
  stepOutputs?: (index: number) => StepOutputs;
  /** `--runtime-env` and `--allow-empty` names. */
  runtimeEnv?: readonly string[];
  allowEmpty?: readonly string[];
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
  const { file, selected, codeNames } = parseAndSelect(fileText, options);
  const problems: string[] = [];
  const loaded = selected.map((candidate) => loadOne(candidate, { file, codeNames, options, problems }));
  const { deployments, replaced } = lastOfEach(loaded, selected);
  const warnings = [...file.warnings, ...replaced];
  if (options.strict) {
    problems.push(...warnings, ...deployments.flatMap((d) => d.warnings));
  }
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new UsageError(`${fileName}: ${unique.length} problem(s); nothing was deployed`, unique);
  }
  return { deployments, warnings };
}

/** The drafts of loadDeploymentFile, without the warnings. */
export function loadDeployments(fileText: string, options: LoadDeploymentsOptions): CreateVersionInputDraft[] {
  return loadDeploymentFile(fileText, options).deployments.map((d) => d.draft);
}

/** The file and the deployments `--name` selects, flow names read from the code as loadDeploymentFile reads them. */
export function parseAndSelect(fileText: string, options: LoadDeploymentsOptions) {
  const entrypoint = options.entrypointOverride || undefined;
  const parsed = parseDeployFile(fileText, options.fileName ?? "prefect.yaml", { deploymentsOptional: entrypoint !== undefined });
  const codeNames = codeFlowNames(options.workingDirectory);
  const { selected, warnings } = selectDeployments(parsed.deployments, options.names ?? [], { ...options, entrypoint }, codeNames);
  const file = { ...parsed, warnings: [...parsed.warnings, ...warnings] };
  return { file, selected, codeNames };
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
function resolvedPull(value: unknown, path: string, env: Env, options: TemplateOptions, problems: string[]): unknown[] | undefined {
  const unindented = unindentedSteps(value, path);
  const { value: steps, problems: templateProblems } = resolvePullTemplates(value, env, path, options);
  problems.push(...unindented, ...messagesOf(templateProblems));
  const list = pullStepsAt(steps, path, problems);
  if (list && templateProblems.length === 0 && unindented.length === 0) problems.push(...validatePullSteps(list, path));
  return list;
}

const hasOwnPull = (candidate: Candidate) => candidate.record.pull !== undefined && candidate.record.pull !== null;
/** A deferred problem is a step output not known yet, while checking the file before any step runs. */
const messagesOf = (problems: TemplateProblem[]) => problems.filter((p) => !p.deferred).map((p) => p.message);

interface LoadContext {
  file: DeployFile;
  codeNames: CodeFlowNames;
  options: LoadDeploymentsOptions;
  problems: string[];
}

function loadOne(candidate: Candidate, context: LoadContext): LoadedDeployment {
  const { options, problems } = context;
  const path = `deployments[${candidate.index}]`;
  const reports: Reports = { problems, warnings: [] };
  // build and push are steps, run before this (deploy/steps); their templates are theirs.
  const { pull, build, push, ...rest } = normalizeDeployment(withoutOverridden(candidate.record, options), path, reports);
  // Keys that are not stored (triggers, sla…) are reported, not resolved: their templates cannot fail the deploy.
  const read = Object.fromEntries(Object.entries(rest).filter(([key]) => isDeploymentKey(key)));
  reports.warnings.push(...storedSecretWarnings(read, path));
  // A number JSON cannot carry is refused where it would be stored, and only there.
  problems.push(
    ...unsendableNumbers(read, path),
    ...unsendableNumbers(hasOwnPull(candidate) ? pull : context.file.pull, hasOwnPull(candidate) ? `${path}.pull` : "pull"),
  );
  const templateOptions = templateOptionsOf(candidate, options);
  const { lookupOutput: lookup } = templateOptions;
  const runtimeEnv = new Set(options.runtimeEnv ?? []);
  // The top-level pull is resolved for each deployment that uses it: step outputs differ per deployment.
  let pullSteps = hasOwnPull(candidate)
    ? resolvedPull(pull, `${path}.pull`, options.env, { ...templateOptions, runtimeEnv }, problems)
    : resolvedPull(context.file.pull, "pull", options.env, { ...templateOptions, runtimeEnv }, problems);
  const resolved = resolveTemplates(read, options.env, path, { ...templateOptions, unresolved: "keep" });
  problems.push(...messagesOf(resolved.problems));
  const record = isPlainObject(resolved.value) ? resolved.value : {};
  if (pullSteps === undefined && options.workingDirectory !== undefined) {
    pullSteps = defaultPullSteps({ ...record, build }, context.file.build, options.workingDirectory, path, reports.warnings);
  }
  const stepIds = stepIdsOf(sectionOf(build, context.file.build), sectionOf(push, context.file.push));
  const variables = options.variables ?? new Map<string, string>();
  // A placeholder gives text; in a typed field it is read as the type, as Prefect does.
  const settled = typedPlaceholders(read, settlePlaceholders(record, path, { variables, stepIds, reports, ...(lookup ? { lookupOutput: lookup } : {}) }));
  const draft = toVersionInput(
    settled,
    {
      path,
      pullSteps,
      flowNameOverride: options.flowNameOverride,
      versionOverride: options.versionOverride,
      codeFlowName: context.codeNames(settled.entrypoint),
      warnings: reports.warnings,
    },
    problems,
  );
  const versionType = versionTypeOf(settled, path, options.versionTypeOverride, problems);
  const kept = keptRuntimeEnv(pullSteps, runtimeEnv);
  const withEnv = kept.length > 0 ? { ...draft, runtimeEnv: kept } : draft;
  return { draft: withEnv, warnings: reports.warnings, ...(versionType ? { versionType } : {}) };
}

/** `--allow-empty`, and the outputs of the deployment's build and push steps when they were planned or run. */
function templateOptionsOf(candidate: Candidate, options: LoadDeploymentsOptions): TemplateOptions {
  const outputs = options.stepOutputs?.(candidate.index);
  const allowEmpty = new Set(options.allowEmpty ?? []);
  return outputs ? { allowEmpty, lookupOutput: (expression) => lookupOutput(outputs, expression) } : { allowEmpty };
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

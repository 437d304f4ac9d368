import canonicalize from "canonicalize";
import type { Env } from "../../env";
import { UsageError } from "../../errors";
import { childPath, resolveTemplates, type TemplateOptions } from "../../template";
import { addStepOutputs, applyStepOutputFlags, emptyOutputs, LATER, lookupOutput, type StepOutputs } from "../step-outputs";
import type { DeployFile } from "../parse";
import type { Candidate } from "../select";
import type { StepContext } from "./context";
import { sectionsOf, shortName, type Section, type SectionKind, type Step } from "./sections";
import { STEP_TYPES } from "./step-types";

export interface StepOptions {
  env: Env;
  skipBuild: boolean;
  skipPush: boolean;
  /** Parsed `--step-output ID.KEY=VALUE` flags, applied after the steps so that a flag always wins. */
  stepOutputs: ReadonlyArray<{ id: string; key: string; value: string }>;
  allowEmpty: readonly string[];
  /** `--variable` values by expression: a step runs now, so its Prefect placeholders must be concrete. */
  variables?: ReadonlyMap<string, string>;
}

const SKIP_FLAG: Record<SectionKind, "--skip-build" | "--skip-push"> = { build: "--skip-build", push: "--skip-push" };
const skips = (kind: SectionKind, options: StepOptions) => (kind === "build" ? options.skipBuild : options.skipPush);

/** The outputs each deployment starts with: none, except the ids of steps skipped by a flag. */
function startingOutputs(sections: Section[], options: StepOptions): StepOutputs {
  const skipped = new Map<string, string>();
  for (const section of sections.filter((s) => skips(s.kind, options))) {
    for (const step of section.steps) if (step.id) skipped.set(step.id, `is skipped by ${SKIP_FLAG[section.kind]}`);
  }
  return { ...emptyOutputs(), skipped };
}

function resolveInputs(step: Step, outputs: StepOutputs, options: StepOptions) {
  const templateOptions: TemplateOptions = {
    lookupOutput: (expression) => lookupOutput(outputs, expression),
    allowEmpty: new Set(options.allowEmpty),
    ...(options.variables ? { variables: options.variables } : {}),
  };
  return resolveTemplates(step.inputs, options.env, `${step.path}.${shortName(step.name)}`, templateOptions);
}

/**
 * Checks every build and push step of the selected deployments before any runs: each is a step Waymark
 * runs (or its section is skipped), and its templates name only set variables and outputs of earlier
 * steps. Returns, per deployment, the outputs it will have, with values still unknown (`LATER`).
 */
export function planSteps(file: DeployFile, selected: Candidate[], options: StepOptions, problems: string[]): Map<number, StepOutputs> {
  const planned = new Map<number, StepOutputs>();
  for (const candidate of selected) {
    const sections = sectionsOf(file, candidate, problems);
    const outputs = startingOutputs(sections, options);
    for (const section of sections.filter((s) => !skips(s.kind, options))) {
      for (const step of section.steps) planStep(step, section.kind, outputs, options, problems);
    }
    applyStepOutputFlags(outputs, options.stepOutputs);
    planned.set(candidate.index, outputs);
  }
  return planned;
}

/** Prefect 2.10's projects beta named its steps so; Prefect 3 has no `prefect.projects`. */
const PROJECTS_STEPS = "prefect.projects.steps.";

/** Why a step is not run here, and what to do instead. */
function unrunnable(step: Step, kind: SectionKind): string {
  if (step.name.startsWith(PROJECTS_STEPS)) {
    // Prefect 3 cannot import these: `prefect deploy` fails on them too.
    const current = `prefect.deployments.steps.${step.name.slice(PROJECTS_STEPS.length)}`;
    return `${step.path}: Prefect 3 has no ${step.name} (Prefect 2.10's name); write ${current}`;
  }
  return (
    `${step.path}: waymark cannot run ${step.name} (it runs run_shell_script, build_docker_image and push_docker_image); ` +
    `do that work in the pipeline and deploy with ${SKIP_FLAG[kind]}, adding --step-output ${step.id ?? "ID"}.KEY=VALUE ` +
    "for each of its outputs that later fields use"
  );
}

function planStep(step: Step, kind: SectionKind, outputs: StepOutputs, options: StepOptions, problems: string[]): void {
  const type = STEP_TYPES[step.name];
  if (!type) {
    problems.push(unrunnable(step, kind));
    if (step.id) outputs.skipped.set(step.id, `does not run here (see ${step.path})`);
    return;
  }
  const at = `${step.path}.${shortName(step.name)}`;
  const unknown = Object.keys(step.inputs).filter((key) => !type.inputs.includes(key));
  if (unknown.length > 0) problems.push(`${at}: unexpected input ${unknown.join(", ")} (it takes ${type.inputs.join(", ")})`);
  for (const [key, hint] of Object.entries(type.required)) {
    if (step.inputs[key] === undefined || step.inputs[key] === null) problems.push(`${at}: ${key} is required${hint}`);
  }
  const resolved = resolveInputs(step, outputs, options);
  problems.push(...resolved.problems.filter((p) => !p.deferred).map((p) => p.message));
  problems.push(...runtimePlaceholders(resolved.value, at));
  addStepOutputs(outputs, step.id, Object.fromEntries(type.outputs(step.inputs).map((key) => [key, LATER])));
}

const RUNTIME = /\{\{\s*(?:prefect\.|ctx\.)[^{}]*\}\}/;
const BLOCK_CREDENTIALS = /\.credentials$/;

/**
 * A step runs now, so a placeholder only a worker or a Prefect server can fill in would reach it as
 * literal text. Registry credentials from a block are the exception: the push warns and uses the CLI's login.
 */
function runtimePlaceholders(value: unknown, path: string): string[] {
  if (typeof value === "string") {
    const match = RUNTIME.exec(value);
    if (!match || (BLOCK_CREDENTIALS.test(path) && value.trim() === match[0])) return [];
    const expression = match[0].replace(/^\{\{\s*|\s*\}\}$/g, "");
    const name = expression.replace(/^prefect\.variables\./, "");
    const flag = expression.startsWith("prefect.") ? `, or pass --variable ${name}=VALUE` : "";
    return [`${path}: ${match[0]} cannot be resolved here, where the step runs; give the value itself or a {{ $VARIABLE }}${flag}`];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => runtimePlaceholders(item, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => runtimePlaceholders(item, childPath(path, key)));
  }
  return [];
}

/**
 * Runs the build then the push steps of each selected deployment, in file order, as `prefect deploy`
 * does; each step sees the outputs of the steps before it. Call only after `planSteps` found no problem.
 */
export async function runSteps(file: DeployFile, selected: Candidate[], options: StepOptions, context: StepContext): Promise<Map<number, StepOutputs>> {
  const results = new Map<number, StepOutputs>();
  const cache = new Map<string, Promise<Record<string, unknown>>>();
  for (const candidate of selected) {
    const sections = sectionsOf(file, candidate, []);
    const outputs = startingOutputs(sections, options);
    for (const section of sections.filter((s) => !skips(s.kind, options))) {
      for (const step of section.steps) addStepOutputs(outputs, step.id, await runStep(step, outputs, options, context, cache));
    }
    applyStepOutputFlags(outputs, options.stepOutputs);
    results.set(candidate.index, outputs);
  }
  return results;
}

async function runStep(
  step: Step,
  outputs: StepOutputs,
  options: StepOptions,
  context: StepContext,
  cache: Map<string, Promise<Record<string, unknown>>>,
): Promise<Record<string, unknown>> {
  const type = STEP_TYPES[step.name];
  const resolved = resolveInputs(step, outputs, options);
  const where = `${step.path} ${shortName(step.name)}${step.id ? ` (id ${step.id})` : ""}`;
  if (!type || resolved.problems.length > 0) {
    throw new UsageError(
      `${where} cannot run; nothing was deployed`,
      resolved.problems.map((p) => p.message),
    );
  }
  const inputs = resolved.value as Record<string, unknown>;
  const key = `${step.name}\n${canonicalize(inputs) ?? ""}`;
  const cached = type.cached && inputs.ignore_cache !== true ? cache.get(key) : undefined;
  if (cached) return cached;
  context.log(` > Running ${shortName(step.name)} step (${step.path})...\n`);
  const running = type.run(inputs, context).catch((error: unknown) => {
    throw new UsageError(`${where} failed; nothing was deployed`, [error instanceof Error ? error.message : String(error)]);
  });
  if (type.cached) cache.set(key, running);
  return running;
}

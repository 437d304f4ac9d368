import { UsageError } from "../errors";
import type { Env } from "../env";
import { isPlainObject, resolveTemplates, type OutputLookup, type Resolved, type TemplateOptions, type TemplateProblem } from "../template";

/** Stands for an output whose value is known only once its step has run (the check before any step runs). */
export const LATER: unique symbol = Symbol("step output, known once the step has run");

/**
 * What `{{ id.key }}` and `{{ key }}` read, built as Prefect's `run_steps` builds it: each step's
 * outputs under its `id`, and every output key also on its own (a later step's key wins). `skipped`
 * says, by id, why a step has no outputs here (`is skipped by --skip-push`), so that a reference to one
 * can say how to feed it.
 */
export interface StepOutputs {
  values: Record<string, unknown>;
  skipped: Map<string, string>;
}

export const emptyOutputs = (): StepOutputs => ({ values: {}, skipped: new Map() });

/** Records one step's outputs as Prefect does: under its id, and key by key. */
export function addStepOutputs(outputs: StepOutputs, id: string | undefined, result: Record<string, unknown>): void {
  if (id) outputs.values[id] = { ...(isPlainObject(outputs.values[id]) ? outputs.values[id] : {}), ...result };
  Object.assign(outputs.values, result);
}

/** `a.b[0].c` as Prefect's `get_from_dict` reads it; undefined when any part is missing. */
export function valueAt(values: Record<string, unknown>, expression: string): unknown {
  const parts = expression.replace(/\[(\d+)\]/g, ".$1").split(".");
  let node: unknown = values;
  for (const part of parts) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (isPlainObject(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}

/** The value of a build or push step output, or why there is none. */
export function lookupOutput(outputs: StepOutputs, expression: string): OutputLookup {
  const value = valueAt(outputs.values, expression);
  if (value === LATER) return { later: true };
  if (value !== undefined && value !== null) return { value };
  const id = expression.split(/[.[]/, 1)[0] ?? expression;
  const reason = outputs.skipped.get(id);
  if (reason) return { error: `step ${id} ${reason}; give its output with --step-output ${expression}=VALUE` };
  if (isPlainObject(outputs.values[id])) {
    const keys = Object.keys(outputs.values[id]).join(", ");
    return { error: `step ${id} has no output ${expression.slice(id.length + 1)} (it has: ${keys})` };
  }
  return { error: `no build or push step has the id ${id}, and no --step-output gives ${expression}`, unknownId: true };
}

/** `--step-output ID.KEY=VALUE` values, added after the steps ran so that a flag always wins. */
export function parseStepOutputFlags(flags: readonly string[]): Array<{ id: string; key: string; value: string }> {
  const problems: string[] = [];
  const parsed = flags.flatMap((flag) => {
    const match = /^([^.=\s]+)\.([^=\s]+)=(.*)$/s.exec(flag);
    if (match) return [{ id: match[1] ?? "", key: match[2] ?? "", value: match[3] ?? "" }];
    problems.push(`--step-output ${flag}: expected ID.KEY=VALUE, e.g. build-image.image=registry/app:1.2`);
    return [];
  });
  if (problems.length > 0) throw new UsageError("bad --step-output", problems);
  return parsed;
}

export function applyStepOutputFlags(outputs: StepOutputs, flags: ReadonlyArray<{ id: string; key: string; value: string }>): void {
  for (const { id, key, value } of flags) addStepOutputs(outputs, id, { [key]: value });
}

/** The `id` of each pull step, in order (undefined where a step has none). */
export function pullStepIds(steps: readonly unknown[]): Array<string | undefined> {
  return steps.map((step) => {
    if (!isPlainObject(step)) return undefined;
    const args = Object.values(step)[0];
    return isPlainObject(args) && typeof args.id === "string" ? args.id : undefined;
  });
}

/**
 * Templates of a list of pull steps, step by step, so that `{{ id.key }}` is kept exactly when an
 * earlier pull step has that id (the worker fills it in when the steps run).
 */
export function resolvePullTemplates(value: unknown, env: Env, path: string, options: TemplateOptions): Resolved<unknown> {
  if (!Array.isArray(value)) return resolveTemplates(value, env, path, options);
  const ids = pullStepIds(value);
  const problems: TemplateProblem[] = [];
  const steps = value.map((step, i) => {
    const pullIds = new Set(ids.slice(0, i).filter((id): id is string => id !== undefined));
    const resolved = resolveTemplates(step, env, `${path}[${i}]`, { ...options, pullIds });
    problems.push(...resolved.problems);
    return resolved.value;
  });
  return { value: steps, problems };
}

/** The variables `--runtime-env` left as `{{ $NAME }}` in these pull steps: the server accepts only those. */
export function keptRuntimeEnv(pullSteps: unknown, runtimeEnv: ReadonlySet<string>): string[] {
  const names = [...JSON.stringify(pullSteps ?? null).matchAll(/\{\{\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1] ?? "");
  return [...new Set(names.filter((name) => runtimeEnv.has(name)))].sort();
}

import type { Env } from "./env";
import { isJsonObject } from "../json-object";

/**
 * `{{ $VAR }}` templates of a deployment file (docs/design.md, "Deployment files and templates"). Resolution is strict where Prefect is lenient:
 * an unset or empty variable is an error, never an empty string (Prefect then silently clones the
 * default branch), unless `--allow-empty` / `--runtime-env` say otherwise. Outputs of build and push
 * steps (`{{ id.key }}`) come from `TemplateOptions.lookupOutput`, `--variable` values from
 * `TemplateOptions.variables`.
 */

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const ENV_VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;
/** Resolved by the worker when a flow runs, so they are stored as written. */
const RUNTIME_PREFIXES = ["prefect.variables.", "prefect.blocks.", "ctx."];

export interface TemplateProblem {
  /** Where the template is, e.g. `deployments[0].work_pool.job_variables.image`. */
  path: string;
  /** The placeholder as written. */
  placeholder: string;
  message: string;
  /** A step output that exists once its step has run: not a problem, but the string is not final yet. */
  deferred?: boolean;
}

/** `unknownId`: no step of the file has the id, so the placeholder may be something else (e.g. `{{ flow_run.name }}`). */
export type OutputLookup = { value: unknown } | { later: true } | { error: string; unknownId?: true };

export interface TemplateOptions {
  /** Outputs of build and push steps and `--step-output`, read by `{{ id.key }}` and `{{ key }}`. */
  lookupOutput?: (expression: string) => OutputLookup;
  /** Ids of the earlier pull steps: their `{{ id.key }}` is kept for the worker, as Prefect keeps it. */
  pullIds?: ReadonlySet<string>;
  /** `--runtime-env`: an unset variable's `{{ $NAME }}` is kept for the worker (given only for pull steps). */
  runtimeEnv?: ReadonlySet<string>;
  /** `--allow-empty`: these variables may be set to an empty string. */
  allowEmpty?: ReadonlySet<string>;
  /**
   * `--variable` values by expression (`prefect.variables.NAME`, `prefect.blocks.…`), for inputs of
   * steps that run now; elsewhere such placeholders are kept (fields settle them in deploy/deploy-time.ts).
   */
  variables?: ReadonlyMap<string, string>;
  /**
   * "keep" leaves a placeholder that is neither `{{ $VAR }}` nor an output of a known step unchanged
   * instead of reporting it, for a later pass that settles it (deployment fields; see deploy/deploy-time.ts).
   */
  unresolved?: "problem" | "keep";
}

export interface Resolved<T> {
  value: T;
  problems: TemplateProblem[];
}

/**
 * Resolves every template in every string of `value`, recursively; keys are left alone. Problems are
 * collected rather than thrown so the user sees all of them at once; a string with a problem is
 * returned unchanged.
 */
export function resolveTemplates(value: unknown, env: Env, path = "", options: TemplateOptions = {}): Resolved<unknown> {
  const problems: TemplateProblem[] = [];
  const walk = (node: unknown, at: string): unknown => {
    if (typeof node === "string") return resolveString(node, { env, options, path: at, problems });
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}[${i}]`));
    if (isPlainObject(node)) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, childPath(at, k))]));
    }
    return node;
  };
  return { value: walk(value, path), problems };
}

interface StringContext {
  env: Env;
  options: TemplateOptions;
  path: string;
  problems: TemplateProblem[];
}

/** A string that is one step output and nothing else takes that output's value and type, as in Prefect. */
function resolveString(text: string, context: StringContext): unknown {
  const { path, problems } = context;
  const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(text)?.[1];
  const output = whole === undefined ? undefined : context.options.lookupOutput?.(whole);
  if (output && "value" in output && !ENV_VARIABLE.test(whole ?? "")) return output.value;
  const before = problems.length;
  const resolved = text.replace(PLACEHOLDER, (placeholder, expression: string) => {
    const value = resolvePlaceholder(placeholder, expression, context);
    if (typeof value === "string") return value;
    const message = "later" in value ? "resolved once its step has run" : value.error;
    problems.push({ path, placeholder, message: path ? `${path}: ${message}` : message, ...("later" in value ? { deferred: true } : {}) });
    return placeholder;
  });
  return problems.length === before ? resolved : text;
}

function resolvePlaceholder(placeholder: string, expression: string, context: StringContext): string | { error: string } | { later: true } {
  const { env, options } = context;
  const variable = ENV_VARIABLE.exec(expression)?.[1];
  if (variable !== undefined) {
    const value = env[variable];
    if (value === undefined && options.runtimeEnv?.has(variable)) return placeholder;
    if (value === undefined) {
      const hint = options.runtimeEnv ? `; --runtime-env ${variable} keeps it for the worker` : "";
      return { error: `environment variable ${variable} is not set (${placeholder})${hint}` };
    }
    if (value.trim() === "" && !options.allowEmpty?.has(variable)) {
      return { error: `environment variable ${variable} is empty (${placeholder}); --allow-empty ${variable} accepts that` };
    }
    return value;
  }
  if (RUNTIME_PREFIXES.some((prefix) => expression.startsWith(prefix) && expression.length > prefix.length)) {
    return options.variables?.get(expression) ?? placeholder;
  }
  const output = options.lookupOutput?.(expression);
  if (output && "value" in output) return typeof output.value === "string" ? output.value : JSON.stringify(output.value);
  if (output && "later" in output) return output;
  const id = expression.split(/[.[]/, 1)[0] ?? "";
  if (options.pullIds?.has(id)) return placeholder;
  if (options.unresolved === "keep" && (!output || output.unknownId)) return placeholder;
  const reasons = [output && "error" in output ? output.error : null, options.pullIds ? `no earlier pull step has the id ${id}` : null].filter(
    (r): r is string => r !== null,
  );
  return {
    error:
      `unsupported placeholder ${placeholder}: ${reasons.map((r) => `${r}; `).join("")}` +
      "{{ $VARIABLE }} and build and push step outputs ({{ step-id.key }}) are resolved here, and " +
      "{{ prefect.variables.* }}, {{ prefect.blocks.* }}, {{ ctx.* }} and outputs of earlier pull steps are kept for run time",
  };
}

/** `a.b`, `a["odd key"]` and `[0]` paths, as a reader of the YAML file would name the field. */
export function childPath(parent: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/** A mapping of a parsed deployment file (the one object check, under the name the CLI uses). */
export const isPlainObject = isJsonObject;

import type { Env } from "./env";
import { isJsonObject } from "../json-object";

/**
 * `{{ $VAR }}` templates of a deployment file (docs/design.md, "Deployment files and templates"). Resolution is strict where Prefect is lenient:
 * an unset or empty variable is an error, never an empty string (Prefect then silently clones the
 * default branch), and build-step outputs do not exist here because build steps are not run.
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
}

export interface ResolveOptions {
  /**
   * "keep" leaves a placeholder that is neither `{{ $VAR }}` nor a run-time one unchanged instead of
   * reporting it, for a later pass that settles it (deployment fields; see deploy/deploy-time.ts).
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
export function resolveTemplates(value: unknown, env: Env, path = "", options: ResolveOptions = {}): Resolved<unknown> {
  const problems: TemplateProblem[] = [];
  const walk = (node: unknown, at: string): unknown => {
    if (typeof node === "string") return resolveString(node, env, at, problems, options);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}[${i}]`));
    if (isPlainObject(node)) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, childPath(at, k))]));
    }
    return node;
  };
  return { value: walk(value, path), problems };
}

function resolveString(text: string, env: Env, path: string, problems: TemplateProblem[], options: ResolveOptions): string {
  const before = problems.length;
  const resolved = text.replace(PLACEHOLDER, (placeholder, expression: string) => {
    const value = resolvePlaceholder(placeholder, expression, env);
    if (typeof value === "string") return value;
    if (options.unresolved === "keep" && !ENV_VARIABLE.test(expression)) return placeholder;
    problems.push({ path, placeholder, message: path ? `${path}: ${value.error}` : value.error });
    return placeholder;
  });
  return problems.length === before ? resolved : text;
}

function resolvePlaceholder(placeholder: string, expression: string, env: Env): string | { error: string } {
  const variable = ENV_VARIABLE.exec(expression)?.[1];
  if (variable !== undefined) {
    const value = env[variable];
    if (value === undefined) return { error: `environment variable ${variable} is not set (${placeholder})` };
    if (value.trim() === "") return { error: `environment variable ${variable} is empty (${placeholder})` };
    return value;
  }
  if (RUNTIME_PREFIXES.some((prefix) => expression.startsWith(prefix) && expression.length > prefix.length)) {
    return placeholder;
  }
  return {
    error:
      `unsupported placeholder ${placeholder}: only {{ $VARIABLE }} is resolved here, and ` +
      "{{ prefect.variables.* }}, {{ prefect.blocks.* }} and {{ ctx.* }} are kept for run time " +
      "(build-step outputs are not available)",
  };
}

/** `a.b`, `a["odd key"]` and `[0]` paths, as a reader of the YAML file would name the field. */
export function childPath(parent: string, key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/** A mapping of a parsed deployment file (the one object check, under the name the CLI uses). */
export const isPlainObject = isJsonObject;

import { UsageError } from "../errors";
import { childPath, isPlainObject, type OutputLookup } from "../template";
import { isDeploymentKey, type Reports } from "./shape";

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SERVER_SIDE = ["prefect.variables.", "prefect.blocks."];
/** Resolved by the worker when a flow runs (Prefect's deploy skips them too). */
const RUNTIME = ["ctx."];
/** Where Prefect placeholders stay for the worker; everywhere else they must be concrete. */
const KEPT_UNDER = ["work_pool.job_variables"];
/**
 * Not settled here: the schema is stored as written (Prefect pops it before templating), steps have
 * their own rules, and keys that are not stored are only reported.
 */
const NOT_SETTLED = new Set(["parameter_openapi_schema", "pull", "build", "push"]);

export interface SettleContext {
  /** `--variable` values by placeholder expression. */
  variables: ReadonlyMap<string, string>;
  /** The `id`s of the build and push steps that apply, with their section. */
  stepIds: ReadonlyMap<string, "build" | "push">;
  /**
   * The step outputs the template pass read, when the steps were planned or run: a placeholder it
   * knows is its (a value not known yet, or a problem it already reported), not this pass's.
   */
  lookupOutput?: (expression: string) => OutputLookup;
  reports: Reports;
}

/** The `id`s of the steps of a build and a push section, each with its section. */
export function stepIdsOf(build: unknown, push: unknown): Map<string, "build" | "push"> {
  const ids = new Map<string, "build" | "push">();
  for (const [section, steps] of [
    ["build", build],
    ["push", push],
  ] as const) {
    for (const step of Array.isArray(steps) ? steps : []) {
      const inputs: unknown = isPlainObject(step) ? Object.values(step)[0] : undefined;
      if (isPlainObject(inputs) && typeof inputs.id === "string") ids.set(inputs.id, section);
    }
  }
  return ids;
}

/**
 * `--variable` values: `NAME=VALUE` gives `{{ prefect.variables.NAME }}`; a name that starts with
 * `prefect.` is the placeholder's whole expression, e.g. `prefect.blocks.secret.db-password=…`.
 */
export function parseVariableFlags(values: readonly string[]): Map<string, string> {
  const variables = new Map<string, string>();
  for (const value of values) {
    const equals = value.indexOf("=");
    const name = equals > 0 ? value.slice(0, equals).trim() : "";
    if (name === "") throw new UsageError(`--variable ${JSON.stringify(value)} must be NAME=VALUE`);
    variables.set(name.startsWith("prefect.") ? name : `prefect.variables.${name}`, value.slice(equals + 1));
  }
  return variables;
}

/**
 * The placeholders left in a deployment once `{{ $VAR }}` and step outputs are resolved, settled as
 * Prefect settles them at deploy time:
 * - `{{ prefect.variables.* }}` and `{{ prefect.blocks.* }}` become the `--variable` value in every
 *   field that is concrete when the version is created, or are a problem naming the field and the
 *   flag; in job variables they stay for the worker.
 * - `{{ ctx.* }}` stays for the worker.
 * - An output of a build or push step of the file (`{{ step-id.key }}`) left unresolved means the
 *   step did not run: a problem, since Prefect would have run it and a worker must not get less.
 * - Any other placeholder cannot be known here: as Prefect's `apply_values` does, a field that is
 *   only that placeholder is dropped, and one inside text is removed from it, each with a warning.
 */
export function settlePlaceholders(record: Record<string, unknown>, path: string, context: SettleContext): Record<string, unknown> {
  const walk = (node: unknown, at: string, relative: string): unknown => {
    if (typeof node === "string") return settleString(node, at, keeps(relative), context);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}[${i}]`, `${relative}[${i}]`)).filter((v) => v !== DROPPED);
    if (!isPlainObject(node)) return node;
    const entries = Object.entries(node).map(([k, v]) => [k, walk(v, childPath(at, k), childPath(relative, k))] as const);
    return Object.fromEntries(entries.filter(([, v]) => v !== DROPPED));
  };
  const settled: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const result = NOT_SETTLED.has(key) || !isDeploymentKey(key) ? value : walk(value, childPath(path, key), key);
    if (result !== DROPPED) settled[key] = result;
  }
  return settled;
}

const DROPPED = Symbol("dropped");

const keeps = (relative: string) => KEPT_UNDER.some((p) => relative === p || relative.startsWith(`${p}.`) || relative.startsWith(`${p}[`));

function settleString(text: string, path: string, inJobVariables: boolean, context: SettleContext): string | typeof DROPPED {
  const { reports } = context;
  let dropped = false;
  const settled = text.replace(PLACEHOLDER, (placeholder, expression: string) => {
    if (RUNTIME.some((prefix) => expression.startsWith(prefix)) || expression.startsWith("$")) return placeholder;
    if (SERVER_SIDE.some((prefix) => expression.startsWith(prefix))) {
      if (inJobVariables) return placeholder;
      const value = context.variables.get(expression);
      if (value !== undefined) return value;
      reports.problems.push(`${path}: ${placeholder} must be known when the version is created: pass --variable ${flagName(expression)}=VALUE`);
      return placeholder;
    }
    const output = context.lookupOutput?.(expression);
    if (output && !("error" in output && output.unknownId)) return placeholder;
    const id = expression.split(/[.[]/, 1)[0] ?? "";
    const step = context.stepIds.get(id);
    if (step !== undefined) {
      reports.problems.push(`${path}: ${placeholder} is an output of the ${step} step "${id}", which has not run`);
      return placeholder;
    }
    dropped = true;
    const noStep = context.stepIds.size > 0 ? ` (no build or push step has the id ${id})` : "";
    reports.warnings.push(
      `${path}: ${placeholder} cannot be resolved at deploy time${noStep}; ${PLACEHOLDER_ONLY(text) ? "field dropped" : "removed from the text"}, as Prefect does`,
    );
    return "";
  });
  return dropped && PLACEHOLDER_ONLY(text) ? DROPPED : settled;
}

const PLACEHOLDER_ONLY = (text: string) => /^\{\{\s*[^{}]*?\s*\}\}$/.test(text);

function flagName(expression: string): string {
  return expression.startsWith("prefect.variables.") ? expression.slice("prefect.variables.".length) : expression;
}

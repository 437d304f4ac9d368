import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { flowInCode, type FlowInCode } from "./python-flow";

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
/** `a`, `a.b.c`: a Python module path, or an object path inside a module. */
const DOTTED = /^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*$/u;
/** Larger files are not flow modules anyone writes by hand; reading them is not worth the time. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
/** Characters Prefect refuses in flow names (`_raise_on_name_with_banned_characters`). */
const BANNED = /[/%&<>]/;

/** Where an entrypoint's code is: candidate files (first existing wins) and the object path in it. */
export interface EntrypointTarget {
  files: string[];
  objectPath: string[];
}

/**
 * Splits an entrypoint as Prefect's `import_object` does: `path/to/file.py:obj` is a file,
 * `pkg.module:obj` and `pkg.module.obj` are modules found from the working directory (as Prefect
 * puts it first on sys.path): `pkg/module.py` or `pkg/module/__init__.py`. `obj` may be
 * `Class.method`. Null when the entrypoint names no object.
 */
export function entrypointTarget(entrypoint: string, cwd: string): EntrypointTarget | null {
  const trimmed = entrypoint.trim();
  const colon = trimmed.lastIndexOf(":");
  let module: string;
  let object: string;
  if (colon >= 0) [module, object] = [trimmed.slice(0, colon).trim(), trimmed.slice(colon + 1).trim()];
  else if (trimmed.includes(".")) [module, object] = [trimmed.slice(0, trimmed.lastIndexOf(".")), trimmed.slice(trimmed.lastIndexOf(".") + 1)];
  else return null;
  if (!DOTTED.test(object) || module === "") return null;
  const objectPath = object.split(".");
  if (trimmed.includes(".py:")) return { files: [isAbsolute(module) ? module : join(cwd, module)], objectPath };
  if (!DOTTED.test(module)) return null;
  const base = join(cwd, ...module.split("."));
  return { files: [`${base}.py`, join(base, "__init__.py")], objectPath };
}

/**
 * The name Prefect gives a flow defined without `name=`: its function's name with every underscore
 * replaced by a hyphen, case kept — `Flow.__init__` sets `name or fn.__name__.replace("_", "-")`
 * (PrefectHQ/prefect, src/prefect/flows.py). So `example.py:my_flow` → `my-flow`, and
 * `a.py:Jobs.run` → `run`. Null when the entrypoint names no function.
 */
export function flowNameFromEntrypoint(entrypoint: string): string | null {
  const target = entrypointTarget(entrypoint, "");
  const fn = target?.objectPath.at(-1);
  return fn && IDENTIFIER.test(fn) ? fn.replace(/_/g, "-") : null;
}

export interface FlowName {
  name: string | null;
  /** Set when the code could not say, so the name is the fallback; says why. */
  warning?: string;
  /** Set when the name the code gives cannot be used (Prefect refuses it too). */
  problem?: string;
  /** True when the name is the literal `@flow(name=…)` of the code. */
  fromDecorator: boolean;
  /** The flow's description in the code (a literal `description=`, else the docstring), if any. */
  description?: string;
}

/**
 * The flow name Prefect registers for an entrypoint, read from its Python file without running it
 * (see flowInCode); when the file cannot be read or does not say, the function's name as above,
 * with a warning saying why.
 */
export function flowNameInCode(entrypoint: string, cwd: string): FlowName {
  const fallback = flowNameFromEntrypoint(entrypoint);
  const target = entrypointTarget(entrypoint, cwd);
  if (!target || fallback === null) return { name: fallback, fromDecorator: false };
  const taken = `flow name "${fallback}" taken from the function name`;
  const file = target.files.find(isFile);
  if (!file) return { name: fallback, fromDecorator: false, warning: `cannot read ${target.files[0]}: ${missing(target.files[0] ?? "")}; ${taken}` };
  const source = readSource(file);
  if (typeof source !== "string") return { name: fallback, fromDecorator: false, warning: `cannot read ${file}: ${source.error}; ${taken}` };
  const flow = flowInCode(source, target.objectPath);
  const described = "description" in flow && flow.description ? { description: flow.description } : {};
  return { ...fromCode(flow, file, fallback), ...described };
}

function fromCode(flow: FlowInCode, file: string, fallback: string): FlowName {
  const taken = `flow name "${fallback}" taken from the function name`;
  switch (flow.kind) {
    case "named":
      if (BANNED.test(flow.name)) {
        return { name: null, fromDecorator: true, problem: `the @flow name "${flow.name}" in ${file} contains one of / % & < >, which Prefect refuses` };
      }
      return { name: flow.name, fromDecorator: true };
    case "unnamed":
      return { name: fallback, fromDecorator: false };
    case "not-a-flow":
      return { name: fallback, fromDecorator: false, warning: `${flow.functionName} in ${file} has no @flow decorator; ${taken}` };
    case "not-literal":
      return { name: fallback, fromDecorator: false, warning: `${file} ${flow.reason}; ${taken} (set flow_name to override)` };
    case "not-found":
      return { name: fallback, fromDecorator: false, warning: `${file} ${flow.reason}; ${taken}` };
  }
}

const missing = (path: string) => {
  try {
    statSync(path);
    return "not a regular file";
  } catch {
    return "no such file";
  }
};

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readSource(file: string): string | { error: string } {
  try {
    const size = statSync(file).size;
    if (size > MAX_SOURCE_BYTES) return { error: `larger than ${MAX_SOURCE_BYTES} bytes` };
    // Python reads source with universal newlines: a docstring of a CRLF file has LF line ends.
    return readFileSync(file, "utf8").replace(/\r\n?/g, "\n");
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const DOTTED_PATH = /^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)+$/u;

/**
 * The name Prefect gives a flow defined without `name=`: its function's name with every underscore
 * replaced by a hyphen, case kept — `Flow.__init__` sets `name or fn.__name__.replace("_", "-")`
 * (PrefectHQ/prefect, src/prefect/flows.py). So `example.py:my_flow` → `my-flow`. A `@flow(name=…)` in
 * the code cannot be seen from here; `flow_name` in the file or `--flow-name` covers that case.
 *
 * Entrypoints are `path/to/file.py:function` or a dotted module path `pkg.module.function`; anything
 * else gives null.
 */
export function flowNameFromEntrypoint(entrypoint: string): string | null {
  const trimmed = entrypoint.trim();
  const colon = trimmed.lastIndexOf(":");
  let fn: string | null = null;
  if (colon >= 0) fn = trimmed.slice(colon + 1).trim();
  else if (DOTTED_PATH.test(trimmed)) fn = trimmed.slice(trimmed.lastIndexOf(".") + 1);
  return fn && IDENTIFIER.test(fn) ? fn.replace(/_/g, "-") : null;
}

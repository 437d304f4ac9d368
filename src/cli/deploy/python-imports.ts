import type { Tree } from "@lezer/common";

/** Modules that export Prefect's `flow` decorator and `Flow` class. */
const FLOW_MODULES = new Set(["prefect", "prefect.flows"]);
const FLOW_NAMES = new Set(["flow", "Flow"]);

/**
 * The dotted names a decorator may use for Prefect's flow decorator in this module: `flow` and
 * `prefect.flow` always, and what its imports bind — `from prefect import flow as prefect_flow`,
 * `from prefect import Flow` (`@Flow` makes a flow too), `import prefect as pf` (`@pf.flow`).
 * Prefect imports the module and so sees through any of them; reading the imports sees the common ones.
 */
export function flowDecoratorNames(tree: Tree, source: string): Set<string> {
  const names = new Set(["flow", "prefect.flow"]);
  tree.iterate({
    enter: (node) => {
      if (node.name !== "ImportStatement") return true;
      const parts: string[] = [];
      for (let child = node.node.firstChild; child; child = child.nextSibling) {
        parts.push(child.name === "VariableName" ? source.slice(child.from, child.to) : child.name);
      }
      for (const name of importedFlowNames(parts)) names.add(name);
      return false;
    },
  });
  return names;
}

/** `parts`: an import statement's tokens, names as written and keywords and punctuation as their node names. */
function importedFlowNames(parts: readonly string[]): string[] {
  const statement = parts.join(" ");
  const from = /^from ((?:\w+ \. )*\w+) import (.*)$/.exec(statement);
  if (from) {
    const module = from[1]!.replace(/ \. /g, ".");
    if (!FLOW_MODULES.has(module)) return [];
    return bindings(from[2]!)
      .filter(([name]) => FLOW_NAMES.has(name))
      .map(([, bound]) => bound);
  }
  if (!statement.startsWith("import ")) return [];
  return bindings(statement.slice("import ".length))
    .map(([module, bound]) => [module.replace(/ \. /g, "."), bound.replace(/ \. /g, ".")] as const)
    .filter(([module]) => module === "prefect")
    .flatMap(([, bound]) => [...FLOW_NAMES].map((name) => `${bound}.${name}`));
}

/** `a as b , c` (parentheses dropped) as [name, bound name] pairs. */
function bindings(list: string): Array<[string, string]> {
  return list
    .replace(/[()]/g, "")
    .split(" , ")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => {
      const [name, bound] = item.split(" as ");
      return [name!.trim(), (bound ?? name!).trim()];
    });
}

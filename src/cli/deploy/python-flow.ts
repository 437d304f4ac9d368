import type { SyntaxNode } from "@lezer/common";
import { parser } from "@lezer/python";
import { docstringOf } from "./python-docstring";
import { flowDecoratorNames } from "./python-imports";
import { literalString } from "./python-literal";

/**
 * What the source says about the flow at an entrypoint's object path. `description` is the flow's
 * description as Prefect sets it: a literal `description=`, else the function's docstring.
 */
export type FlowInCode =
  | { kind: "named"; name: string; functionName: string; description?: string }
  | { kind: "unnamed"; functionName: string; description?: string }
  | { kind: "not-literal"; functionName: string; reason: string; description?: string }
  | { kind: "not-a-flow"; functionName: string }
  | { kind: "not-found"; reason: string };

const DEFINITIONS = new Set(["FunctionDefinition", "ClassDefinition"]);

/**
 * Reads the `@flow(name=…)` of the function an entrypoint names (`fn`, or `Class.method`) without
 * running anything, as Prefect 3's static loader does (load_flow_arguments_from_entrypoint in
 * PrefectHQ/prefect, src/prefect/flows.py): the decorator is `@flow(...)` (or `@prefect.flow(...)`, or
 * a name the module's imports give it, see flowDecoratorNames),
 * `name=` is read only when it is a constant string, and no decorator name means the function's
 * name. Parsing uses @lezer/python, an error-tolerant parser: only syntax errors inside the
 * decorators or the `def` line of that function make it unreadable.
 */
export function flowInCode(text: string, objectPath: readonly string[]): FlowInCode {
  // Python skips a UTF-8 byte order mark; the parser would not.
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const tree = parser.parse(source);
  const [base, member] = objectPath;
  let definition = base === undefined ? null : definitionNamed(tree.topNode, base, source);
  if (definition && member !== undefined) {
    const body = definition.name === "ClassDefinition" ? definition.getChild("Body") : null;
    definition = body ? lastDefinition(body, member, source) : null;
  }
  const wanted = objectPath.join(".");
  if (!definition) return { kind: "not-found", reason: `defines no function ${wanted}` };
  if (definition.name !== "FunctionDefinition") return { kind: "not-found", reason: `${wanted} is not a function` };
  const functionName = nameOf(definition, source) ?? wanted;
  const decorators = definition.parent?.name === "DecoratedStatement" ? definition.parent.getChildren("Decorator") : [];
  if (hasError(definition.getChild("ParamList")) || decorators.some(hasError)) {
    return { kind: "not-literal", functionName, reason: `has a syntax error in the definition of ${wanted}` };
  }
  const flowNames = flowDecoratorNames(tree, source);
  const flow = decorators.find((d) => flowNames.has(decoratorName(d, source)));
  if (!flow) return { kind: "not-a-flow", functionName };
  const described = keywordArgument(flow, "description", source);
  const literal = described && described.name !== "None" ? literalString(described, source) : undefined;
  const description = literal && "value" in literal ? literal.value : docstringOf(definition, source);
  return { ...nameArgument(flow, source, functionName), ...(description ? { description } : {}) };
}

function nameArgument(decorator: SyntaxNode, source: string, functionName: string): FlowInCode {
  const value = keywordArgument(decorator, "name", source);
  if (!value || value.name === "None") return { kind: "unnamed", functionName };
  const literal = literalString(value, source);
  if ("notLiteral" in literal) {
    const written = source.slice(value.from, value.to).replace(/\s+/g, " ").slice(0, 80);
    return { kind: "not-literal", functionName, reason: `names its flow with ${literal.notLiteral} (name=${written})` };
  }
  // Prefect: `name or fn.__name__…`, so an empty name is no name.
  return literal.value === "" ? { kind: "unnamed", functionName } : { kind: "named", name: literal.value, functionName };
}

/** The value of `keyword=` among a decorator call's own arguments (not those of nested calls). */
function keywordArgument(decorator: SyntaxNode, keyword: string, source: string): SyntaxNode | null {
  for (let arg = decorator.getChild("ArgList")?.firstChild ?? null; arg; arg = arg.nextSibling) {
    if (arg.name === "VariableName" && source.slice(arg.from, arg.to) === keyword && arg.nextSibling?.name === "AssignOp") {
      return arg.nextSibling.nextSibling;
    }
  }
  return null;
}

/** The dotted name a decorator calls: `flow` for `@flow(...)`, `prefect.flow` for `@prefect.flow`. */
function decoratorName(decorator: SyntaxNode, source: string): string {
  const names: string[] = [];
  for (let part = decorator.firstChild; part; part = part.nextSibling) {
    if (part.name === "VariableName") names.push(source.slice(part.from, part.to));
    else if (part.name !== "At" && part.name !== ".") break;
  }
  return names.join(".");
}

/**
 * The definition Python binds to `name` at module level (the last one), else, as Prefect's
 * `ast.walk` does, the first one found breadth-first anywhere (e.g. inside `if`/`try` blocks).
 */
function definitionNamed(script: SyntaxNode, name: string, source: string): SyntaxNode | null {
  const topLevel = lastDefinition(script, name, source);
  if (topLevel) return topLevel;
  const queue: SyntaxNode[] = [script];
  for (let node = queue.shift(); node; node = queue.shift()) {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (DEFINITIONS.has(child.name) && nameOf(child, source) === name) return child;
      queue.push(child);
    }
  }
  return null;
}

function lastDefinition(block: SyntaxNode, name: string, source: string): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  for (let statement = block.firstChild; statement; statement = statement.nextSibling) {
    const definition = statement.name === "DecoratedStatement" ? definitionIn(statement) : statement;
    if (definition && DEFINITIONS.has(definition.name) && nameOf(definition, source) === name) found = definition;
  }
  return found;
}

const definitionIn = (decorated: SyntaxNode) => decorated.getChild("FunctionDefinition") ?? decorated.getChild("ClassDefinition");

function nameOf(definition: SyntaxNode, source: string): string | null {
  const name = definition.getChild("VariableName");
  return name ? source.slice(name.from, name.to) : null;
}

function hasError(node: SyntaxNode | null): boolean {
  if (!node) return false;
  let found = false;
  node.toTree().iterate({
    enter: (n) => {
      if (n.type.isError) found = true;
      return !found;
    },
  });
  return found;
}

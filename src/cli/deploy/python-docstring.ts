import type { SyntaxNode } from "@lezer/common";
import { parser } from "@lezer/python";
import { literalString } from "./python-literal";

/** The docstring of a function definition, cleaned as `inspect.getdoc` cleans it; undefined without one. */
export function docstringOf(definition: SyntaxNode, source: string): string | undefined {
  const found = docstringIn(definition, source);
  if (found !== undefined || !hasError(definition.getChild("Body"))) return found;
  // @lezer/python cannot read some newer syntax (`async with f() as (a, b):`), and its recovery can
  // leave the body of a later function empty. The function's own text, parsed alone, reads right.
  const text = source.slice(definition.from);
  const alone = parser.parse(text).topNode.getChild("FunctionDefinition");
  return alone ? docstringIn(alone, text) : undefined;
}

function hasError(node: SyntaxNode | null): boolean {
  for (let child = node?.firstChild ?? null; child; child = child.nextSibling) if (child.type.isError) return true;
  return false;
}

function docstringIn(definition: SyntaxNode, source: string): string | undefined {
  const body = definition.getChild("Body");
  let first = body?.firstChild ?? null;
  // `def f():  # noqa` puts a comment between the colon and the docstring.
  while (first && (first.name === ":" || first.name === "Comment")) first = first.nextSibling;
  const expression = first?.name === "ExpressionStatement" ? first.firstChild : null;
  if (!expression || (expression.name !== "String" && expression.name !== "ContinuedString")) return undefined;
  const literal = literalString(expression, source);
  return "value" in literal ? cleandoc(literal.value) : undefined;
}

/** Python's `inspect.cleandoc`: tabs expanded, the common indentation of the lines after the first removed, blank ends dropped. */
export function cleandoc(doc: string): string {
  const lines = doc.split("\n").map(expandTabs);
  const indents = lines
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => l.length - l.trimStart().length);
  const margin = indents.length > 0 ? Math.min(...indents) : 0;
  const cleaned = [lines[0]?.trimStart() ?? "", ...lines.slice(1).map((l) => l.slice(margin))];
  while (cleaned.length > 0 && cleaned.at(-1) === "") cleaned.pop();
  while (cleaned.length > 0 && cleaned[0] === "") cleaned.shift();
  return cleaned.join("\n");
}

function expandTabs(line: string): string {
  let out = "";
  for (const char of line) out += char === "\t" ? " ".repeat(8 - (out.length % 8)) : char;
  return out;
}

import type { SyntaxNode } from "@lezer/common";

/** A Python expression read as a constant string, or why it is not one. */
export type LiteralString = { value: string } | { notLiteral: string };

const SIMPLE_ESCAPES: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};
const ESCAPE = /\\(\n|[\\'"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\})/g;
const LITERAL = /^([rRbBuUfF]*)('''|"""|'|")([\s\S]*)\2$/;

/**
 * The value of a string literal node as Python computes it: `String` (any prefix and quoting),
 * `ContinuedString` (implicit concatenation, `"a" "b"`) and `FormatString` without replacement
 * fields (`f"abc"`). Bytes, f-strings with `{…}` and `\N{…}` escapes are not read as literals.
 */
export function literalString(node: SyntaxNode, source: string): LiteralString {
  if (node.name === "ParenthesizedExpression") {
    const inner = node.firstChild?.nextSibling;
    return inner && inner.nextSibling?.name === ")" ? literalString(inner, source) : { notLiteral: "a parenthesized expression" };
  }
  if (node.name === "ContinuedString") {
    let value = "";
    for (let part = node.firstChild; part; part = part.nextSibling) {
      const piece = literalString(part, source);
      if ("notLiteral" in piece) return piece;
      value += piece.value;
    }
    return { value };
  }
  if (node.name === "FormatString" && node.getChild("FormatReplacement")) {
    return { notLiteral: "an f-string with replacement fields" };
  }
  if (node.name !== "String" && node.name !== "FormatString") return { notLiteral: `a ${describe(node)}` };
  return decode(source.slice(node.from, node.to), node.name === "FormatString");
}

function decode(text: string, formatted: boolean): LiteralString {
  const match = LITERAL.exec(text);
  if (!match) return { notLiteral: "a malformed string" };
  const prefix = (match[1] ?? "").toLowerCase();
  const body = match[3] ?? "";
  if (prefix.includes("b")) return { notLiteral: "a bytes literal" };
  let value = prefix.includes("r") ? body : unescape(body);
  if (value === null) return { notLiteral: "a string with a \\N{…} escape" };
  if (formatted) value = value.replace(/\{\{/g, "{").replace(/\}\}/g, "}");
  return { value };
}

function unescape(body: string): string | null {
  let named = false;
  const value = body.replace(ESCAPE, (whole, escape: string) => {
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) return simple;
    if (escape.startsWith("N")) named = true;
    if (/^[0-7]/.test(escape)) return String.fromCodePoint(parseInt(escape, 8));
    const code = parseInt(escape.slice(1), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
  return named ? null : value;
}

function describe(node: SyntaxNode): string {
  if (node.name === "VariableName") return "name";
  if (node.name === "Number") return "number";
  return node.name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

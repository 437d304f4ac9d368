import { isAlias, isCollection, isPair, isScalar, visit, type Alias, type Document } from "yaml";
import { UsageError } from "../errors";

/** Copies an alias may make in all: many deployments sharing definitions pass, a "billion laughs" file does not. */
const MAX_ALIAS_COPIES = 20_000;
/**
 * What the file may expand to once every alias is a copy (characters, plus 16 per value), as it
 * is when sent: a real file expands a few times over, one alias of a large string repeated
 * thousands of times would exhaust memory before any request.
 */
export const MAX_EXPANDED_SIZE = 64 * 1024 * 1024;

/** What a node becomes once every alias in it (a merge key's included) is a copy of its anchored node. */
interface Expansion {
  copies: number;
  size: number;
}

/**
 * The document as plain values, refusing one whose aliases expand past either limit. The limits are
 * measured on the parsed nodes, each anchored node once, before any value is built: a merge key copies
 * every key of its source, which the yaml package's own alias count does not see, so building first
 * could exhaust memory before any limit is checked.
 */
export function toJsWithinAliasLimits(doc: Document, fileName: string): unknown {
  const { copies, size } = expansionOf(doc);
  if (copies > MAX_ALIAS_COPIES) {
    throw new UsageError(`${fileName}: its aliases expand too far (more than ${MAX_ALIAS_COPIES} copies); not read`);
  }
  if (size > MAX_EXPANDED_SIZE) {
    throw new UsageError(`${fileName}: its aliases expand too far (to more than ${MAX_EXPANDED_SIZE / 1024 / 1024} MiB); not read`);
  }
  return doc.toJS({ maxAliasCount: -1 });
}

const NONE: Expansion = { copies: 0, size: 0 };
/** An alias inside the node it names would expand forever. */
const ENDLESS: Expansion = { copies: Infinity, size: Infinity };

/**
 * The node each alias names: the last one anchored so before it, as Alias.resolve finds it, but in
 * one pass over the document (Alias.resolve walks the document for each alias).
 */
function aliasSources(doc: Document): Map<Alias, unknown> {
  const anchored = new Map<string, unknown>();
  const sources = new Map<Alias, unknown>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) sources.set(node, anchored.get(node.source));
      else if (node.anchor) anchored.set(node.anchor, node);
    },
  });
  return sources;
}

function expansionOf(doc: Document): Expansion {
  const sources = aliasSources(doc);
  const done = new Map<unknown, Expansion>();
  const open = new Set<unknown>();
  const measure = (node: unknown): Expansion => {
    const known = done.get(node);
    if (known) return known;
    if (open.has(node)) return ENDLESS;
    open.add(node);
    const result = measureParts(node, measure, sources);
    open.delete(node);
    done.set(node, result);
    return result;
  };
  try {
    return measure(doc.contents);
  } catch (error) {
    // Nesting deeper than the stack: the values could not be built either.
    if (error instanceof RangeError) return ENDLESS;
    throw error;
  }
}

function measureParts(node: unknown, measure: (node: unknown) => Expansion, sources: Map<Alias, unknown>): Expansion {
  if (isScalar(node)) return { copies: 0, size: 16 + (typeof node.value === "string" ? node.value.length : String(node.value).length) };
  if (isAlias(node)) {
    const source = measure(sources.get(node));
    return { copies: 1 + source.copies, size: source.size };
  }
  if (isPair(node)) return sum(measure(node.key), measure(node.value));
  if (isCollection(node)) return (node.items as unknown[]).reduce<Expansion>((total, item) => sum(total, measure(item)), { copies: 0, size: 16 });
  return NONE;
}

const sum = (a: Expansion, b: Expansion): Expansion => ({ copies: a.copies + b.copies, size: a.size + b.size });

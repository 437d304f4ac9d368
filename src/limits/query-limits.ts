import { GraphQLError, Kind, getNamedType, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from "graphql";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../pagination";
import { ErrorCode } from "../errors";
import { jsonDepth } from "../json-object";

/** Bounds on one operation (docs/design.md, "Limits"); each breach is QUERY_TOO_COMPLEX with the figure found. */
export const QUERY_LIMITS = {
  /** Nesting of selections; the deepest sensible query (a change's version's deployment's history's node's fields) is ~8. */
  maxDepth: 12,
  maxAliases: 30,
  /** Cost: 1 per field, a page's selection multiplied by its page size. A 100-item history page costs ~3,000. */
  maxCost: 10_000,
  /** Nesting of the variables' JSON. */
  maxVariablesDepth: 40,
} as const;

// A client error: without the status Apollo would answer an error raised before execution with 500.
const tooComplex = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400 } } });

/** A page of N items costs N times its selection (plus one for the connection). */
const pageEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!getNamedType(field.type).name.endsWith("Connection")) return undefined;
  const size = typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : null;
  // Clamped: a size outside 0–100 is refused by the field itself, as BAD_USER_INPUT.
  return 1 + childComplexity * Math.min(MAX_PAGE_SIZE, Math.max(1, size ?? DEFAULT_PAGE_SIZE));
};

function depthAndAliases(selection: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): { depth: number; aliases: number } {
  let depth = 0;
  let aliases = 0;
  for (const node of selection?.selections ?? []) {
    let inner = { depth: 0, aliases: 0 };
    if (node.kind === Kind.FIELD) {
      if (node.alias) aliases++;
      // Introspection (every GraphQL client's schema query nests ofType well past 12) is not data:
      // it is bounded by the token cap and costs no database work, so it does not count.
      if (node.name.value === "__schema" || node.name.value === "__type") continue;
      inner = depthAndAliases(node.selectionSet, fragments, seen);
      inner.depth += node.selectionSet ? 1 : 0;
    } else if (node.kind === Kind.INLINE_FRAGMENT) {
      inner = depthAndAliases(node.selectionSet, fragments, seen);
    } else if (!seen.has(node.name.value)) {
      // Fragment cycles are rejected by validation; `seen` only keeps a spread from being counted twice on one path.
      inner = depthAndAliases(fragments.get(node.name.value)?.selectionSet, fragments, new Set([...seen, node.name.value]));
    }
    depth = Math.max(depth, inner.depth);
    aliases += inner.aliases;
  }
  return { depth, aliases };
}

/** The variables' nesting error, or null; bounded, so it is safe on any input (check it first). */
export function variablesDepthError(variables: Record<string, unknown> | undefined): GraphQLError | null {
  return jsonDepth(variables, QUERY_LIMITS.maxVariablesDepth) > QUERY_LIMITS.maxVariablesDepth
    ? tooComplex(`Variables are nested deeper than ${QUERY_LIMITS.maxVariablesDepth} levels`)
    : null;
}

/** The first limit an operation breaks, or null. Runs after validation, with the variables. */
export function queryLimitError(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): GraphQLError | null {
  const tooDeep = variablesDepthError(variables);
  if (tooDeep) return tooDeep;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const { depth, aliases } = depthAndAliases(definition.selectionSet, fragments, new Set());
    if (depth > QUERY_LIMITS.maxDepth) return tooComplex(`Query depth ${depth} exceeds the limit of ${QUERY_LIMITS.maxDepth}`);
    if (aliases > QUERY_LIMITS.maxAliases) return tooComplex(`The query uses ${aliases} aliases; the limit is ${QUERY_LIMITS.maxAliases}`);
  }
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })] });
  } catch {
    // Variables that do not fit the operation: execution reports that as BAD_USER_INPUT.
    return null;
  }
  if (cost > QUERY_LIMITS.maxCost) return tooComplex(`Query cost ${cost} exceeds the limit of ${QUERY_LIMITS.maxCost}; ask for smaller pages or fewer fields`);
  return null;
}

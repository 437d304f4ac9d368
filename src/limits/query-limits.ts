import {
  GraphQLError,
  Kind,
  getVariableValues,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { ErrorCode } from "../errors";
import { jsonDepth } from "../json-object";
import type { SchemaFacts } from "./schema-facts";
import { NodeBudgetExceeded, SelectionMeasure, type Measure, type PageSizeOf } from "./selection-measure";

/** Bounds on one operation (docs/design.md, "Limits"); each breach is QUERY_TOO_COMPLEX with the figure found. */
export const QUERY_LIMITS = {
  /** Nesting of selections; the deepest sensible query (a change's version's deployment's history's node's fields) is ~8. */
  maxDepth: 12,
  /** Aliases anywhere, introspection included. */
  maxAliases: 30,
  /** Cost: 1 per field, a page's selection multiplied by its page size. A 100-item history page costs ~3,000. */
  maxCost: 10_000,
  /** Nesting under `__schema`/`__type`; the standard introspection query (type references nine deep) needs 14. */
  maxIntrospectionDepth: 16,
  /**
   * Cost of introspection, each list counted at the longest it is in this schema: at least this,
   * and at least 1.2 times what the full standard introspection query costs on this schema
   * (SchemaFacts.introspectionBudget), since that cost grows with every type and field the schema gains.
   */
  maxIntrospectionCost: 500_000,
  /**
   * Selections visited to check one document, each fragment once per operation: the bound on the
   * check's own work. The standard introspection query needs ~100, a large history read ~60.
   */
  maxVisits: 10_000,
  /**
   * Pairs of same-named fields, nested pairs multiplied, that graphql's validation compares
   * (overlapping fields), nested comparisons included: ~1 µs each, and past 500,000 graphql gives
   * up after ~150 ms. A query that names each field once in each place makes none.
   */
  maxOverlap: 10_000,
  /** Nesting of the variables' JSON. */
  maxVariablesDepth: 40,
  /** JSON text of one query or subscription answer. */
  maxResponseBytes: 16 * 1024 * 1024,
} as const;

// A client error: without the status Apollo would answer an error raised before execution with 500.
export const tooComplex = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400 } } });

/** The variables' nesting error, or null; bounded, so it is safe on any input (check it first). */
export function variablesDepthError(variables: Record<string, unknown> | undefined): GraphQLError | null {
  return jsonDepth(variables, QUERY_LIMITS.maxVariablesDepth) > QUERY_LIMITS.maxVariablesDepth
    ? tooComplex(`Variables are nested deeper than ${QUERY_LIMITS.maxVariablesDepth} levels`)
    : null;
}

/** Variables of no request: every page size taken from a variable counts as 1, making the cost a lower bound. */
const ANY_VARIABLES = Symbol("any variables");
type Variables = Record<string, unknown> | undefined | typeof ANY_VARIABLES;

/**
 * Page sizes as the operation will see them. Variables that do not fit the operation are
 * execution's to refuse (BAD_USER_INPUT), so they count as unknown: the cost is then a lower
 * bound, and an operation too costly even so is refused whatever its variables.
 */
function pageSizes(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Variables): PageSizeOf {
  const values =
    variables === ANY_VARIABLES ? undefined : getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 }).coerced;
  return (field: FieldNode) => {
    const argument = field.arguments?.find((arg) => arg.name.value === "first") ?? field.arguments?.find((arg) => arg.name.value === "last");
    const value = argument?.value;
    if (!value) return undefined;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind !== Kind.VARIABLE) return undefined;
    if (!values) return 1;
    const given = values[value.name.value];
    return typeof given === "number" ? given : undefined;
  };
}

function breach(measure: Measure, maxIntrospectionCost: number): GraphQLError | null {
  const { maxDepth, maxAliases, maxCost, maxIntrospectionDepth, maxOverlap } = QUERY_LIMITS;
  // Written as "not within" so that a figure that is not a number (NaN) is refused too.
  if (!(measure.depth <= maxDepth)) return tooComplex(`Query depth ${measure.depth} exceeds the limit of ${maxDepth}`);
  if (!(measure.aliases <= maxAliases)) return tooComplex(`The query uses ${measure.aliases} aliases; the limit is ${maxAliases}`);
  if (!(measure.introspectionDepth <= maxIntrospectionDepth))
    return tooComplex(`Introspection depth ${measure.introspectionDepth} exceeds the limit of ${maxIntrospectionDepth}`);
  if (!(measure.introspectionCost <= maxIntrospectionCost))
    return tooComplex(`Introspection cost ${measure.introspectionCost} exceeds the limit of ${maxIntrospectionCost}; ask for fewer types and fields`);
  if (!(measure.cost <= maxCost)) return tooComplex(`Query cost ${measure.cost} exceeds the limit of ${maxCost}; ask for smaller pages or fewer fields`);
  if (!(measure.overlap <= maxOverlap))
    return tooComplex(`The query selects the same fields too often (${measure.overlap} pairs to compare; the limit is ${maxOverlap})`);
  return null;
}

/** The first limit an operation of `document` breaks, or null. */
function measureError(facts: SchemaFacts, document: DocumentNode, variables: Variables): GraphQLError | null {
  const { schema } = facts;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  // Shared by every operation of the document: the budget bounds the whole check.
  const budget = { visits: QUERY_LIMITS.maxVisits };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const measure = new SelectionMeasure(facts, fragments, pageSizes(schema, definition, variables), budget);
    const root =
      definition.operation === "query" ? schema.getQueryType() : definition.operation === "mutation" ? schema.getMutationType() : schema.getSubscriptionType();
    const error = breach(measure.selectionSet(definition.selectionSet, root ?? undefined), facts.introspectionBudget);
    if (error) return error;
  }
  return null;
}

function refusalOf(error: unknown): GraphQLError {
  if (error instanceof NodeBudgetExceeded) return tooComplex(`The query has more than ${QUERY_LIMITS.maxVisits} selections to check`);
  return tooComplex("The query could not be checked against the limits");
}

/**
 * The first limit any operation of `document` breaks with these variables, or null. Safe on any
 * parsed document, valid or not. A failure to measure is a refusal, never a pass.
 */
export function queryLimitError(
  facts: SchemaFacts,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  _operationName?: string | null,
): GraphQLError | null {
  try {
    return variablesDepthError(variables) ?? measureError(facts, document, variables);
  } catch (error) {
    return refusalOf(error);
  }
}

/**
 * The first limit `document` breaks whatever its variables (each page size taken from one counts
 * as 1), or null: what can be known before validation, which takes far longer than this on a
 * hostile document. A document refused here is refused with any variables.
 */
export function documentLimitError(facts: SchemaFacts, document: DocumentNode): GraphQLError | null {
  try {
    return measureError(facts, document, ANY_VARIABLES);
  } catch (error) {
    return refusalOf(error);
  }
}

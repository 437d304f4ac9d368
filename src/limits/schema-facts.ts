import {
  Kind,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  parse,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { listBoundsOf } from "./list-bounds";
import { QUERY_LIMITS } from "./query-limits";
import { SelectionMeasure } from "./selection-measure";

/** What measuring needs of a field's type, worked out once per field (graphql's type tests are slow outside production). */
export interface Shape {
  name: string;
  composite: GraphQLCompositeType | undefined;
  connection: boolean;
  listOfObjects: boolean;
}

/**
 * What the query limits need to know of one schema: the bound of each list field, the introspection
 * budget and each field's shape. Made once by createApp for its schema and handed to every check, so
 * nothing is remembered at module level between apps (tests build several).
 */
export class SchemaFacts {
  /** Bounds of list fields by "Type.field" (list-bounds.ts). */
  readonly listBounds: ReadonlyMap<string, number>;
  /** The introspection cost allowed: room for the full standard introspection query on this schema. */
  readonly introspectionBudget: number;
  private readonly shapes = new Map<GraphQLField<unknown, unknown>, Shape>();

  constructor(readonly schema: GraphQLSchema) {
    this.listBounds = listBoundsOf(schema);
    this.introspectionBudget = introspectionBudgetOf(this);
  }

  shapeOf(field: GraphQLField<unknown, unknown>): Shape {
    let shape = this.shapes.get(field);
    if (shape) return shape;
    const named = getNamedType(field.type);
    const composite = isCompositeType(named) ? named : undefined;
    shape = {
      name: field.name,
      composite,
      connection: named.name.endsWith("Connection"),
      listOfObjects: !!composite && isListType(getNullableType(field.type)),
    };
    this.shapes.set(field, shape);
    return shape;
  }
}

/**
 * At least the configured floor, and 1.2 times what the full standard introspection query (every
 * option GraphiQL and codegen tools ask for) costs on this schema, since that cost grows with every
 * type and field the schema gains.
 */
function introspectionBudgetOf(facts: SchemaFacts): number {
  const standard = parse(
    getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    }),
  );
  const operation = standard.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(standard.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const measured = new SelectionMeasure(facts, fragments, () => undefined, { visits: Number.MAX_SAFE_INTEGER }).selectionSet(
    operation.selectionSet,
    facts.schema.getQueryType() ?? undefined,
  );
  return Math.max(QUERY_LIMITS.maxIntrospectionCost, Math.ceil(measured.introspectionCost * 1.2));
}

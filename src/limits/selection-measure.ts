import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  isCompositeType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
} from "graphql";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../pagination";
import type { SchemaFacts, Shape } from "./schema-facts";

/** What one selection asks for. Introspection (under `__schema`/`__type`) is measured apart from data. */
export interface Measure {
  /** Nesting of data selections. */
  depth: number;
  aliases: number;
  /** 1 per field; a field returning a list of objects multiplies its selection by the list's size. */
  cost: number;
  introspectionDepth: number;
  introspectionCost: number;
  /**
   * Pairs of same-named fields graphql's validation compares (overlapping fields): a name selected
   * n times in one place, fragments included, makes n(n-1)/2 pairs, each comparing the fields' own
   * selections in turn.
   */
  overlap: number;
  /** Fields compared when two copies of this selection set are compared, nested ones included. */
  levelOverlap: number;
  /** Response names selected at this level, fragments included: how often, and the most pairs under one. */
  names: Map<string, { times: number; under: number }>;
}

const nothing = (): Measure => ({ depth: 0, aliases: 0, cost: 0, introspectionDepth: 0, introspectionCost: 0, overlap: 0, levelOverlap: 0, names: new Map() });

/** Thrown when measuring would visit more selections than the budget: the caller refuses the query. */
export class NodeBudgetExceeded extends Error {}

/** Reads a page-size argument: a literal, a coerced variable, or undefined when not given or not known. */
export type PageSizeOf = (field: FieldNode) => number | undefined;

const INTROSPECTION_ROOTS = new Set(["__schema", "__type"]);

/** Adds a nested measure; `sameLevel` when its names are selected at this level too (a fragment's, not a field's). */
function add(into: Measure, more: Measure, sameLevel: boolean): void {
  into.depth = Math.max(into.depth, more.depth);
  into.aliases += more.aliases;
  into.cost += more.cost;
  into.introspectionDepth = Math.max(into.introspectionDepth, more.introspectionDepth);
  into.introspectionCost += more.introspectionCost;
  into.overlap += more.overlap;
  if (sameLevel) for (const [name, { times, under }] of more.names) count(into, name, times, under);
}

function count(into: Measure, name: string, times: number, under: number): void {
  const known = into.names.get(name);
  if (known) [known.times, known.under] = [known.times + times, Math.max(known.under, under)];
  else into.names.set(name, { times, under });
}

/**
 * Closes a selection set's measure: the pairs of its same-named fields validation compares, each
 * comparing their selections; and what comparing two copies of the whole set would cost.
 */
function closeLevel(measure: Measure): Measure {
  for (const { times, under } of measure.names.values()) {
    measure.overlap += ((times * (times - 1)) / 2) * (1 + under);
    measure.levelOverlap += times * times * (1 + under);
  }
  return measure;
}

/**
 * Measures one operation's selections. Each fragment is measured once and its figures reused at
 * every spread, so the work is linear in the document however often fragments spread each other;
 * every visit is charged to `budget` (shared by the document's operations), which fails closed.
 * Runs before validation: unknown fields and fragments count as leaves, cycles as nothing
 * (validation reports both).
 */
export class SelectionMeasure {
  private readonly fragments = new Map<string, Measure | "measuring">();

  constructor(
    private readonly facts: SchemaFacts,
    private readonly definitions: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly pageSizeOf: PageSizeOf,
    private readonly budget: { visits: number },
  ) {}

  selectionSet(set: SelectionSetNode | undefined, parent: GraphQLCompositeType | undefined): Measure {
    const total = nothing();
    for (const node of set?.selections ?? []) {
      if (--this.budget.visits < 0) throw new NodeBudgetExceeded();
      if (node.kind === Kind.FIELD && !node.selectionSet) {
        // A leaf costs 1 whatever its type (a list of scalars is one value of one row): no lookup needed.
        [total.cost, total.aliases] = [total.cost + 1, total.aliases + (node.alias ? 1 : 0)];
        count(total, node.alias?.value ?? node.name.value, 1, 0);
      } else if (node.kind === Kind.FIELD) {
        const inner = this.field(node, parent);
        add(total, inner, false);
        count(total, node.alias?.value ?? node.name.value, 1, inner.levelOverlap);
      } else {
        const inner =
          node.kind === Kind.INLINE_FRAGMENT
            ? this.selectionSet(node.selectionSet, this.typeNamed(node.typeCondition?.name.value) ?? parent)
            : this.fragment(node.name.value);
        // Merging a fragment's names is work too: charged like visits.
        if ((this.budget.visits -= inner.names.size) < 0) throw new NodeBudgetExceeded();
        add(total, inner, true);
      }
    }
    return closeLevel(total);
  }

  private fragment(name: string): Measure {
    const known = this.fragments.get(name);
    if (known === "measuring") return nothing();
    if (known) return known;
    const definition = this.definitions.get(name);
    if (!definition) return nothing();
    this.fragments.set(name, "measuring");
    const measured = this.selectionSet(definition.selectionSet, this.typeNamed(definition.typeCondition.name.value));
    this.fragments.set(name, measured);
    return measured;
  }

  private field(node: FieldNode, parent: GraphQLCompositeType | undefined): Measure {
    const definition = this.fieldDefinition(parent, node.name.value);
    const shape = definition && this.facts.shapeOf(definition);
    const inner = this.selectionSet(node.selectionSet, shape?.composite);
    const alias = node.alias ? 1 : 0;
    // A field's own names are not its parent's; its level's pairs are what comparing two copies of it costs.
    const overlap = { overlap: inner.overlap, levelOverlap: inner.levelOverlap, names: new Map() };
    if (INTROSPECTION_ROOTS.has(node.name.value)) {
      return {
        depth: 0,
        aliases: inner.aliases + alias,
        cost: 0,
        ...overlap,
        introspectionDepth: Math.max(inner.depth, inner.introspectionDepth) + 1,
        introspectionCost: 1 + inner.cost + inner.introspectionCost,
      };
    }
    const size = shape ? this.sizeOf(node, parent, shape) : 1;
    return {
      depth: inner.depth + (node.selectionSet ? 1 : 0),
      aliases: inner.aliases + alias,
      cost: 1 + inner.cost * size,
      ...overlap,
      introspectionDepth: inner.introspectionDepth,
      introspectionCost: inner.introspectionCost * size,
    };
  }

  /** How many times a field's selection may be answered. */
  private sizeOf(node: FieldNode, parent: GraphQLCompositeType | undefined, shape: Shape): number {
    // Clamped: a size outside 0–100 is refused by the field itself, as BAD_USER_INPUT.
    if (shape.connection) return Math.min(MAX_PAGE_SIZE, Math.max(1, this.pageSizeOf(node) ?? DEFAULT_PAGE_SIZE));
    // A connection's edges are charged by its page size; a list of scalars is one value of one row.
    if (!shape.listOfObjects || parent?.name.endsWith("Connection")) return 1;
    return this.facts.listBounds.get(`${parent?.name}.${shape.name}`) ?? MAX_PAGE_SIZE;
  }

  private fieldDefinition(parent: GraphQLCompositeType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
    if (!parent) return undefined;
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    if (parent === this.facts.schema.getQueryType()) {
      if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
      if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    }
    // Object and interface types have fields; a union has none but __typename.
    return "getFields" in parent ? parent.getFields()[name] : undefined;
  }

  private typeNamed(name: string | undefined): GraphQLCompositeType | undefined {
    const type = name === undefined ? undefined : this.facts.schema.getType(name);
    return type && isCompositeType(type) ? type : undefined;
  }
}

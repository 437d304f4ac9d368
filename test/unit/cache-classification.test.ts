import { describe, expect, it } from "vitest";
import { getNamedType, isObjectType, type GraphQLObjectType } from "graphql";
import { buildWaymarkSchema } from "../../src/schema/build";
import { CACHEABLE, UNCACHEABLE } from "../../src/cache/cacheable";

// Whether a history answer may be cached depends on every field it selects (src/cache/cacheable.ts).
// A field added to a type a cacheable read reaches must be classified by whoever adds it.
describe("the history cache's field classification", () => {
  it("classifies every field reachable from a cacheable read, and only fields that exist", async () => {
    const schema = await buildWaymarkSchema();
    const unclassified: string[] = [];
    const both: string[] = [];
    const seen = new Set<string>();
    const walk = (type: GraphQLObjectType) => {
      if (seen.has(type.name)) return;
      seen.add(type.name);
      for (const field of Object.values(type.getFields())) {
        const cacheable = CACHEABLE[type.name]?.includes(field.name) ?? false;
        const uncacheable = UNCACHEABLE[type.name]?.[field.name] !== undefined;
        if (field.name.startsWith("__")) continue;
        if (cacheable && uncacheable) both.push(`${type.name}.${field.name}`);
        if (!cacheable && !uncacheable) unclassified.push(`${type.name}.${field.name}`);
        const named = getNamedType(field.type);
        if (cacheable && isObjectType(named)) walk(named);
      }
    };
    walk(schema.getQueryType()!);
    expect(unclassified).toEqual([]);
    expect(both).toEqual([]);
    const missing = [
      ...Object.entries(CACHEABLE).flatMap(([type, fields]) => fields.map((f) => [type, f])),
      ...Object.entries(UNCACHEABLE).flatMap(([type, fields]) => Object.keys(fields).map((f) => [type, f])),
    ]
      .filter(([type, field]) => !(schema.getType(type!) as GraphQLObjectType | undefined)?.getFields?.()[field!])
      .map(([type, field]) => `${type}.${field}`);
    expect(missing).toEqual([]);
  });
});

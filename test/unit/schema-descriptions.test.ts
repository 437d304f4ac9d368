import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";

/** Every type, field, argument, input field and enum value of the schema that has no description. */
export function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const need = (where: string, description: string | null | undefined) => void (description?.trim() ? null : missing.push(where));
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || isSpecifiedScalarType(type)) continue;
    need(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        need(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) need(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) need(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing;
}

// Frontend tools show descriptions as documentation: the committed contract has one everywhere.
describe("schema.graphql descriptions", () => {
  it("describes every type, field, argument and enum value", () => {
    const schema = buildSchema(readFileSync(join(__dirname, "../../schema.graphql"), "utf8"));
    expect(undescribed(schema)).toEqual([]);
  });

  it("notices a field without one", () => {
    expect(undescribed(buildSchema(`"""q""" type Query { """d""" a: Int b(x: Int): Int }`))).toEqual(["Query.b", "Query.b(x)"]);
  });
});

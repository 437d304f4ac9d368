import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, type GraphQLSchema } from "graphql";
import { SETTING_FIELDS } from "../deployment/settings";

const largest = (sizes: number[]) => Math.max(1, ...sizes);

/** One entry per setting that changed: the deployment's settings, and its retention. */
const SETTING_CHANGES = SETTING_FIELDS.length + 1;

/**
 * The longest each introspection list can be in this schema ("__Type.fields" → the most fields
 * of any type), so that the cost of an introspection query bounds the size of its answer; and
 * the domain lists whose length the model bounds. Worked out once per schema, by SchemaFacts.
 */
export function listBoundsOf(schema: GraphQLSchema): ReadonlyMap<string, number> {
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  const withFields = types.filter((type) => isObjectType(type) || isInterfaceType(type));
  const fields = withFields.flatMap((type) => Object.values(type.getFields()));
  const args = largest([...fields.map((field) => field.args.length), ...directives.map((directive) => directive.args.length)]);
  return new Map([
    ["__Schema.types", types.length],
    ["__Schema.directives", largest([directives.length])],
    ["__Type.fields", largest(withFields.map((type) => Object.keys(type.getFields()).length))],
    ["__Type.interfaces", largest(withFields.map((type) => type.getInterfaces().length))],
    [
      "__Type.possibleTypes",
      largest(types.map((type) => (isUnionType(type) ? type.getTypes().length : isInterfaceType(type) ? schema.getPossibleTypes(type).length : 0))),
    ],
    ["__Type.enumValues", largest(types.map((type) => (isEnumType(type) ? type.getValues().length : 0)))],
    ["__Type.inputFields", largest(types.map((type) => (isInputObjectType(type) ? Object.keys(type.getFields()).length : 0)))],
    ["__Field.args", args],
    ["__Directive.args", args],
    // Domain lists with a bound of their own (any other list of objects counts as 100).
    ["AuditEntry.settingsChanges", SETTING_CHANGES],
    ["LiveVersionChange.settingsChanges", SETTING_CHANGES],
  ]);
}

import { registerEnumType } from "type-graphql";

/**
 * One value of a schema enum: its description, or its description and the string the code stores
 * for it when that is not its schema name.
 */
type EnumValueSpec = string | { readonly value: string; readonly description: string };

/** What each schema name stands for in the code: its stored string, else the name itself. */
export type EnumValues<Specs> = { readonly [K in keyof Specs]: Specs[K] extends { readonly value: infer V } ? V : K };

/**
 * A schema enum declared in one place, each value with its description, registered with
 * type-graphql under `name`. It returns the values object, used like a TS string enum
 * (`KeyScope.READ`, `Object.values(KeyScope)`) next to a type of the same name:
 * `export type KeyScope = (typeof KeyScope)[keyof typeof KeyScope];`.
 */
export function schemaEnum<const Specs extends Record<string, EnumValueSpec>>(name: string, description: string, specs: Specs): EnumValues<Specs> {
  const entries = Object.entries(specs);
  const values = Object.fromEntries(entries.map(([key, spec]) => [key, typeof spec === "string" ? key : spec.value]));
  const valuesConfig = Object.fromEntries(entries.map(([key, spec]) => [key, { description: typeof spec === "string" ? spec : spec.description }]));
  registerEnumType(values, { name, description, valuesConfig });
  return Object.freeze(values) as EnumValues<Specs>;
}

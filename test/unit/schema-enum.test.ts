import "reflect-metadata";
import { graphql, printType, type GraphQLEnumType } from "graphql";
import { buildSchema, Query, Resolver } from "type-graphql";
import { describe, expect, it } from "vitest";
import { schemaEnum } from "../../src/schema/enum";

const Scope = schemaEnum("TestScope", "What a test key may do.", {
  READ: { value: "read", description: "Reads only." },
  WRITE: "Reads and writes.",
});
type Scope = (typeof Scope)[keyof typeof Scope];

@Resolver()
class ScopeResolver {
  @Query(() => [Scope], { description: "Every scope, as stored." })
  scopes(): Scope[] {
    return Object.values(Scope);
  }
}

describe("schemaEnum", () => {
  it("answers each name's stored value: its own `value`, else the name itself", () => {
    expect(Scope).toEqual({ READ: "read", WRITE: "WRITE" });
    expect(Object.isFrozen(Scope)).toBe(true);
  });

  it("registers the enum with its name and every description, and serialises stored values by name", async () => {
    const schema = await buildSchema({ resolvers: [ScopeResolver], validate: false });
    const printed = printType(schema.getType("TestScope") as GraphQLEnumType);
    expect(printed).toBe(
      ['"""What a test key may do."""', "enum TestScope {", '  """Reads only."""', "  READ", "", '  """Reads and writes."""', "  WRITE", "}"].join("\n"),
    );
    expect(await graphql({ schema, source: "{ scopes }" })).toEqual({ data: { scopes: ["READ", "WRITE"] } });
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, getNamedType, isObjectType, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";

/** The node types of every connection's edges that have an id but do not implement Node. */
export function edgeNodesWithoutNode(schema: GraphQLSchema): string[] {
  const missing = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.name.endsWith("Edge")) continue;
    const node = getNamedType(type.getFields().node?.type);
    if (isObjectType(node) && node.getFields().id && !node.getInterfaces().some((i) => i.name === "Node")) missing.add(node.name);
  }
  return [...missing].sort();
}

const schema = () => buildSchema(readFileSync(join(__dirname, "../../schema.graphql"), "utf8"));

// eslint.config.mjs lets an edge's node skip Node (LivePeriod, a span, has no id); this keeps every
// listed type that has an id refetchable by node(id:), as Relay's pagination fragments need.
describe("schema.graphql and Relay's Node", () => {
  it("makes every listed type with an id implement Node", () => {
    expect(edgeNodesWithoutNode(schema())).toEqual([]);
  });

  it("has exactly these Node types", () => {
    const implementing = schema()
      .getPossibleTypes(schema().getType("Node") as never)
      .map((type) => type.name)
      .sort();
    expect(implementing).toEqual(["ApiKey", "AuditEntry", "Deployment", "DeploymentVersion", "LiveVersionChange", "Webhook", "WebhookDelivery"]);
  });

  it("notices a listed type with an id outside Node", () => {
    const sdl = `interface Node { id: ID! } type A { id: ID! } type B implements Node { id: ID! } type AEdge { node: A } type BEdge { node: B } type Query { a: AEdge b: BEdge }`;
    expect(edgeNodesWithoutNode(buildSchema(sdl))).toEqual(["A"]);
  });
});

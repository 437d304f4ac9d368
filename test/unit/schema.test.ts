import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { printWaymarkSchema } from "../../src/schema/print";

describe("schema.graphql", () => {
  // The one schema drift check (npm run check runs it with the unit tests). The committed file is
  // printed from the tsc build (npm run schema); decorator metadata under vitest's transformer
  // must produce exactly the same schema, or one of them is wrong.
  it("equals the schema the resolvers produce", async () => {
    const committed = readFileSync(resolve(__dirname, "../../schema.graphql"), "utf8");
    expect(await printWaymarkSchema(), "schema.graphql differs from the resolvers: run `npm run schema` and commit it").toBe(committed);
  });

  it("names every type and operation of the contract", async () => {
    // Descriptions put each argument on lines of its own: compare signatures without them.
    const printed = (await printWaymarkSchema())
      .replace(/"""[\s\S]*?"""|"[^"\n]*"\n/g, "")
      .replace(/\(\s+/g, "(")
      .replace(/\s+\)/g, ")")
      .replace(/\n\s+(?=\w+:)/g, (m, offset, all: string) => (all[offset - 1] === "(" ? "" : m));
    for (const name of [
      "type Deployment ",
      "type DeploymentVersion ",
      "type SourceInfo ",
      "type LiveVersionChange ",
      "type CodePin ",
      "type DeploymentConnection ",
      "type DeploymentVersionConnection ",
      "type LiveVersionChangeConnection ",
      "scalar DateTime",
      "scalar JSON",
      "input CreateVersionInput",
      "input RollbackInput",
      "input PromoteInput",
      "input UpdateDeploymentSettingsInput",
      "input VersionFilter",
      "input DeploymentFilter",
      "enum SourceType",
      "enum LiveChangeKind",
      "createVersion(input: CreateVersionInput!): CreateVersionPayload!",
      "rollback(input: RollbackInput!): RollbackPayload!",
      "promote(input: PromoteInput!): PromotePayload!",
      "updateDeploymentSettings(input: UpdateDeploymentSettingsInput!): UpdateDeploymentSettingsPayload!",
      "deployment(id: ID!): Deployment",
      "deploymentVersion(id: ID!): DeploymentVersion",
    ]) {
      expect(printed).toContain(name);
    }
  });
});

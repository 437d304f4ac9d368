import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const RELAY = join(ROOT, "node_modules", "relay-compiler", "cli.js");

/** A Relay app's fragments on Deployment: refetchable through node(id:), versions paged with @connection. */
const FRAGMENTS = `
import { graphql } from "react-relay";

export const history = graphql\`
  fragment DeploymentHistory_deployment on Deployment
  @refetchable(queryName: "DeploymentHistoryPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    id
    name
    viewerCanRollback
    viewerCanPromote
    liveVersion { id number isLive }
    versions(first: $count, after: $cursor) @connection(key: "DeploymentHistory_versions") {
      edges { cursor node { id number version isLive } }
    }
  }
\`;

export const moves = graphql\`
  fragment DeploymentMoves_deployment on Deployment
  @refetchable(queryName: "DeploymentMovesPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    liveHistory(first: $count, after: $cursor) @connection(key: "DeploymentMoves_liveHistory") {
      edges { node { id sequence kind } }
    }
  }
\`;
`;

// Relay's compiler is the strictest client of the schema's shape: Node, connections, refetch queries.
describe("relay-compiler against schema.graphql", () => {
  const dir = mkdtempSync(join(tmpdir(), "waymark-relay-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("compiles refetchable pagination fragments on Deployment into node(id:) queries", () => {
    mkdirSync(join(dir, "src"));
    copyFileSync(join(ROOT, "schema.graphql"), join(dir, "schema.graphql"));
    writeFileSync(join(dir, "src", "Deployment.ts"), FRAGMENTS);
    writeFileSync(join(dir, "relay.config.json"), JSON.stringify({ src: "./src", schema: "./schema.graphql", language: "typescript" }));
    execFileSync(process.execPath, [RELAY], { cwd: dir, stdio: "pipe", timeout: 60_000 });
    const generated = join(dir, "src", "__generated__");
    const files = readdirSync(generated);
    expect(files).toEqual(expect.arrayContaining(["DeploymentHistoryPaginationQuery.graphql.ts", "DeploymentMovesPaginationQuery.graphql.ts"]));
    const query = readFileSync(join(generated, "DeploymentHistoryPaginationQuery.graphql.ts"), "utf8");
    expect(query).toContain("node(id: $id)");
    const fragment = readFileSync(join(generated, "DeploymentHistory_deployment.graphql.ts"), "utf8");
    expect(fragment).toMatch(/"refetch"/);
    expect(fragment).toMatch(/"connection"/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, STORES, type TestServer } from "../support/server";
import { countStatements } from "../support/statements";
import { createVersion } from "../support/operations";

// B4: the statements one history request costs do not grow with the page size (counted by
// test/support/statements.ts).

const HISTORY = (root: string) => `query H($first: Int!, $id: ID!, $flowName: String!, $name: String!) {
  ${root} {
    liveVersion { id number version createdAt sourceInfo { commitSha branch } }
    versions(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        number version isLive createdAt
        sourceInfo { type version commitSha branch repository url message }
        codePin { commitSha repository imageDigest pinned warnings }
        deployment { id versionCount }
      } }
    }
  }
}`;
const BY_ID = HISTORY("deployment(id: $id)").replace(", $flowName: String!, $name: String!", "");
const BY_NAME = HISTORY("deploymentByName(flowName: $flowName, name: $name)").replace("$id: ID!, ", "");

const SHA = "0123456789abcdef0123456789abcdef01234567";
const VERSIONS = 105;

describe.each(STORES)("SQL statements per history request (%s)", (store) => {
  let server: TestServer;
  let deploymentId: string;
  let counter: ReturnType<typeof countStatements>;

  beforeAll(async () => {
    server = await startServer(store);
    for (let n = 1; n <= VERSIONS; n++) {
      const created = await createVersion(server, {
        flowName: "etl",
        name: "sql",
        entrypoint: `flows/etl.py:v${n}`,
        pullSteps: [{ "prefect.deployments.steps.git_clone": { repository: "https://github.com/acme/etl.git", commit_sha: SHA } }],
        sourceInfo: { type: "GITHUB", commitSha: SHA, branch: "main", repository: "acme/etl" },
      });
      deploymentId = created.deployment.id;
    }
    const sources = new Set([server.app.db.dataSource, server.app.db.reader.connection]);
    counter = countStatements([...sources]);
  });
  afterAll(() => server?.close());

  /** Statements of a request that touches no data: authentication's, if any. */
  async function baseline(): Promise<number> {
    counter.reset();
    expect((await server.gql("{ __typename }")).errors).toBeUndefined();
    return counter.count;
  }

  async function statementsFor(query: string, first: number): Promise<number> {
    counter.reset();
    const result = await server.gql(query, { first, id: deploymentId, flowName: "etl", name: "sql" });
    expect(result.errors).toBeUndefined();
    const root = result.data!.deployment ?? result.data!.deploymentByName;
    expect(root.versions.edges).toHaveLength(first);
    return counter.count;
  }

  it("is the same for first: 5 as for first: 100, by id and by name", async () => {
    const byId5 = await statementsFor(BY_ID, 5);
    const byId100 = await statementsFor(BY_ID, 100);
    const byName5 = await statementsFor(BY_NAME, 5);
    const byName100 = await statementsFor(BY_NAME, 100);
    expect(byId100).toBe(byId5);
    expect(byName100).toBe(byName5);
    // deployment (by name, then by id for isLive), live version, page, count: one statement each, whatever the page size.
    expect(byName5 - (await baseline())).toBeLessThanOrEqual(5);
  });

  it("answers a repeated history read with one statement (the fresh read of the deployment row)", async () => {
    await statementsFor(BY_ID, 20);
    expect((await statementsFor(BY_ID, 20)) - (await baseline())).toBe(1);
  });
});

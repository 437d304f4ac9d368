import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, STORES, type TestServer } from "../support/server";
import { countStatements } from "../support/statements";
import { ROLLBACK, createVersion } from "../support/operations";

// B4 for the audit log, liveAt and livePeriods: the statements a request costs do not grow with
// the page size nor with the length of the history (counted by test/support/statements.ts).

const AUDIT = `query($first: Int!, $flow: String) { auditLog(first: $first, filter: { flowName: $flow }) {
  pageInfo { hasNextPage endCursor } edges { node { kind at actor flowName deploymentName versionId details } } } }`;
const LIVE_AT = `query($id: ID!, $t: DateTime!, $first: Int!) { deployment(id: $id) {
  liveAt(time: $t) { number } livePeriods(first: $first) { edges { node { from to startedBy endedBy version { number } } } } } }`;

describe.each(STORES)("SQL statements per audit and liveAt request (%s)", (store) => {
  let server: TestServer;
  let counter: ReturnType<typeof countStatements>;
  const ids: Record<string, string> = {};

  /** A deployment with `moves` pointer moves (versions, then rollbacks). */
  async function seed(name: string, versions: number, rollbacks: number) {
    for (let i = 0; i < versions; i++) ids[name] = (await createVersion(server, { flowName: name, name: "prod" })).deployment.id;
    for (let i = 0; i < rollbacks; i++) await server.gql(ROLLBACK, { input: { deploymentId: ids[name] } });
  }

  beforeAll(async () => {
    server = await startServer(store);
    await seed("short", 3, 1);
    await seed("long", 150, 100);
    counter = countStatements([...new Set([server.app.db.dataSource, server.app.db.reader.connection])]);
  });
  afterAll(() => server?.close());

  async function statements(query: string, variables: Record<string, unknown>): Promise<number> {
    counter.reset();
    const result = await server.gql(query, variables);
    expect(result.errors).toBeUndefined();
    return counter.count;
  }

  it("costs the same for the audit log whatever the page size and the log's length", async () => {
    const counts = [
      await statements(AUDIT, { first: 2, flow: "short" }),
      await statements(AUDIT, { first: 100, flow: "long" }),
      await statements(AUDIT, { first: 100 }),
    ];
    expect(new Set(counts).size).toBe(1);
  });

  it("costs the same for liveAt and livePeriods on a short and a long history", async () => {
    const t = new Date().toISOString();
    const short = await statements(LIVE_AT, { id: ids.short, t, first: 3 });
    const long = await statements(LIVE_AT, { id: ids.long, t, first: 100 });
    expect(long).toBe(short);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, STORES, type TestServer } from "../support/server";
import { createVersion } from "../support/operations";

// Lists under many parents (a page of deployments, each with its versions and live history) are
// read once per batch of parents. Each parent's page must be exactly what asking for that
// parent alone gives: same rows, order, cursors, counts and page info, in every direction.

const LISTS = `
  versions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { number version deployment { name } } }
  }
  liveHistory(first: 2) { totalCount edges { cursor node { sequence kind } } }`;
const VARIABLES = "$first: Int, $after: String, $last: Int, $before: String, $filter: VersionFilter";
const ALL = `query All(${VARIABLES}) { deployments(first: 10) { edges { node { name ${LISTS} } } } }`;
const ONE = `query One($id: ID!, ${VARIABLES}) { deployment(id: $id) { name ${LISTS} } }`;

describe.each(STORES)("per-parent lists read in batches (%s)", (store) => {
  let server: TestServer;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startServer(store);
    for (const [name, count] of [
      ["a", 5],
      ["b", 1],
      ["c", 3],
    ] as const) {
      for (let n = 1; n <= count; n++) {
        const created = await createVersion(server, {
          flowName: "batch",
          name,
          entrypoint: `flows/b.py:${name}${n}`,
          sourceInfo: { type: "GIT", branch: n % 2 ? "main" : "dev" },
        });
        if (n === 1) ids.push(created.deployment.id);
      }
    }
    await server.gql(`mutation($id: ID!) { rollback(input: { deploymentId: $id }) { change { sequence } } }`, { id: ids[0] });
  });
  afterAll(() => server?.close());

  const pages: Array<[string, Record<string, unknown>]> = [
    ["the first page", { first: 2 }],
    ["the last page", { last: 2 }],
    ["an empty page", { first: 0 }],
    ["a filtered page", { first: 10, filter: { branch: "main" } }],
  ];

  it.each(pages)("gives each deployment %s as asking for it alone does", async (_name, variables) => {
    const all = await server.gql(ALL, variables);
    expect(all.errors).toBeUndefined();
    const batched = (all.data.deployments.edges as Array<{ node: { name: string } }>).map((e) => e.node);
    expect(batched.map((d) => d.name)).toEqual(["a", "b", "c"]);
    for (const [i, id] of ids.entries()) {
      const alone = await server.gql(ONE, { id, ...variables });
      expect(alone.errors).toBeUndefined();
      expect(batched[i]).toEqual(alone.data.deployment);
    }
    expect(batched.map((d: any) => d.versions.totalCount)).toEqual(variables.filter ? [3, 1, 2] : [5, 1, 3]);
    expect(batched.map((d: any) => d.liveHistory.totalCount)).toEqual([6, 1, 3]);
  });

  it("pages on from a cursor, and refuses a bad page argument as BAD_USER_INPUT", async () => {
    const first = await server.gql(ONE, { id: ids[0], first: 2 });
    const after = first.data.deployment.versions.pageInfo.endCursor as string;
    const all = await server.gql(ALL, { first: 2, after });
    expect(all.errors).toBeUndefined();
    const alone = await server.gql(ONE, { id: ids[0], first: 2, after });
    expect(all.data.deployments.edges[0].node).toEqual(alone.data.deployment);
    expect(alone.data.deployment.versions.edges.map((e: any) => e.node.number)).toEqual([3, 2]);
    const bad = await server.gql(ALL, { first: 2, last: 2 });
    // The list is non-null, so the first refusal nulls the whole answer.
    expect(bad.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors?.[0]?.message).toBe("Pass first or last, not both");
  });
});

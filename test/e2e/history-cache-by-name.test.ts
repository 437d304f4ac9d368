import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVersion, ROLLBACK } from "../support/operations";
import { postGraphQL, startServer, STORES, type TestServer } from "../support/server";

// deploymentByName is answered from the validated history cache too (src/cache/history-cache.ts):
// the fresh read is of the name, as deploymentByName finds it now, so an answer follows every
// change of the deployment, and of which deployment the name stands for.

const BY_NAME = `query ByName($flowName: String!, $name: String!, $after: String) {
  deploymentByName(flowName: $flowName, name: $name) {
    id versionCount liveVersion { number }
    versions(first: 2, after: $after) { edges { cursor node { number isLive } } }
  }
}`;
const DELETE = `mutation($input: DeleteDeploymentInput!) { deleteDeployment(input: $input) { deletedDeploymentId } }`;

interface Page {
  id: string;
  versionCount: number;
  liveVersion: { number: number };
  versions: { edges: Array<{ cursor: string; node: { number: number; isLive: boolean } }> };
}

/** How many reads the history cache answered so far, before Apollo's pipeline and inside it (from /metrics). */
const cachedAnswers = async (url: string) => {
  const text = await (await fetch(new URL("/metrics", url))).text();
  const count = (outcome: string) => Number(new RegExp(`^waymark_history_cache_total\\{outcome="${outcome}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  return count("early") + count("hit");
};

describe.each(STORES)("history reads by name from the cache (%s)", (store) => {
  let server: TestServer;
  const read = async (variables: Record<string, unknown>, headers?: Record<string, string>): Promise<Page | null> => {
    const result = await postGraphQL(server.url, BY_NAME, variables, headers);
    expect(result.errors).toBeUndefined();
    return (result.data as { deploymentByName: Page | null }).deploymentByName;
  };
  beforeAll(async () => {
    server = await startServer(store);
  });
  afterAll(() => server?.close());

  it("answers a repeated page by name from the cache, cursors included, and follows every change", async () => {
    let id = "";
    for (let n = 1; n <= 3; n++) id = (await createVersion(server, { flowName: "named", name: "n", entrypoint: `f.py:v${n}` })).deployment.id;
    const first = await read({ flowName: "named", name: "n" });
    const after = first!.versions.edges[0]!.cursor;
    await read({ flowName: "named", name: "n", after });
    const before = await cachedAnswers(server.url);
    expect(await read({ flowName: "named", name: "n" })).toEqual(first);
    expect((await read({ flowName: "named", name: "n", after }))!.versions.edges.map((e) => e.node.number)).toEqual([2, 1]);
    expect(await cachedAnswers(server.url)).toBe(before + 2);

    expect((await server.gql(ROLLBACK, { input: { deploymentId: id } })).errors).toBeUndefined();
    expect((await read({ flowName: "named", name: "n" }))!.liveVersion.number).toBe(2);
    await createVersion(server, { deploymentId: id, entrypoint: "f.py:v4" });
    const now = await read({ flowName: "named", name: "n" });
    expect([now!.liveVersion.number, now!.versionCount, now!.versions.edges[0]!.node.number]).toEqual([4, 4, 4]);
  });

  it("follows the name to the deployment it stands for now: deleted, then made again", async () => {
    const old = (await createVersion(server, { flowName: "named", name: "again", entrypoint: "f.py:old" })).deployment.id;
    await read({ flowName: "named", name: "again" });
    expect((await read({ flowName: "named", name: "again" }))!.id).toBe(old);
    const deleted = await server.gql(DELETE, { input: { deploymentId: old, confirmName: "named/again" } });
    expect(deleted.errors).toBeUndefined();
    expect(await read({ flowName: "named", name: "again" })).toBeNull();
    const made = (await createVersion(server, { flowName: "named", name: "again", entrypoint: "f.py:new" })).deployment.id;
    expect(made).not.toBe(old);
    const page = await read({ flowName: "named", name: "again" });
    expect([page!.id, page!.versionCount]).toEqual([made, 1]);
  });

  it("answers another workspace with its own deployment of the same name, or none", async () => {
    const mine = (await createVersion(server, { flowName: "named", name: "shared", entrypoint: "f.py:mine" })).deployment.id;
    await read({ flowName: "named", name: "shared" });
    await read({ flowName: "named", name: "shared" });
    const key = (await server.gql(`mutation { createWorkspace(input: { name: "named-other" }) { key } }`)).data.createWorkspace.key as string;
    const other = { authorization: `Bearer ${key}` };
    expect(await read({ flowName: "named", name: "shared" }, other)).toBeNull();
    const theirs = await postGraphQL(
      server.url,
      `mutation { createVersion(input: { flowName: "named", name: "shared", entrypoint: "f.py:theirs" }) { version { id } } }`,
      {},
      other,
    );
    expect(theirs.errors).toBeUndefined();
    const seen = await read({ flowName: "named", name: "shared" }, other);
    expect(seen!.id).not.toBe(mine);
    expect((await read({ flowName: "named", name: "shared" }))!.id).toBe(mine);
  });
});

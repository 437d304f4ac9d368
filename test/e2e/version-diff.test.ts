import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { createVersion } from "../support/operations";

// The diff between two versions: JSON Pointer paths over the versioned properties only, one
// change per differing leaf, and the host's compare page between the two commits.

const DIFF = `query($from: ID!, $to: ID!) { versionDiff(fromId: $from, toId: $to) { identical sourceCompareUrl from { number } to { number } changes { path op before after } } }`;
const BY_NUMBER = `query($id: ID!, $a: Int!, $b: Int!) { deployment(id: $id) { diff(from: $a, to: $b) { identical changes { path op before after } } version(number: $a) { number entrypoint } } }`;

const OLD = {
  entrypoint: "flows/a.py:main",
  tags: ["x", "y", "z"],
  parameters: { nested: { deep: { keep: 1, gone: true, kind: "text" } }, "a/b": 1, "m~n": 2, "ünï/~": "old" },
  jobVariables: { image: "reg/img:1", env: { A: "1" } },
  pullSteps: [{ step: "one" }, { step: "two" }],
};
const NEW = {
  entrypoint: "flows/a.py:main",
  tags: ["x", "q"],
  parameters: { nested: { deep: { keep: 1, kind: 7, added: [1] } }, "a/b": 1, "m~n": 3, "ünï/~": "new" },
  jobVariables: { image: "reg/img:2", env: { A: "1", B: "2" } },
  pullSteps: [{ step: "one" }, { step: "two" }, { step: "three" }],
  settings: { paused: true, concurrencyLimit: 3 },
};

describe.each(STORES)("version diff on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  it("lists each differing leaf at its escaped JSON Pointer, never settings", async () => {
    const a = await createVersion(server, { flowName: "diff", name: "known", ...OLD });
    const b = await createVersion(server, { flowName: "diff", name: "known", ...NEW });
    const result = await server.gql(DIFF, { from: a.version.id, to: b.version.id });
    expect(result.errors).toBeUndefined();
    const diff = result.data.versionDiff;
    expect(diff).toMatchObject({ identical: false, sourceCompareUrl: null, from: { number: 1 }, to: { number: 2 } });
    expect(new Set(diff.changes)).toEqual(
      new Set([
        { path: "/tags/1", op: "REPLACE", before: "y", after: "q" },
        { path: "/tags/2", op: "REMOVE", before: "z", after: null },
        { path: "/parameters/nested/deep/gone", op: "REMOVE", before: true, after: null },
        { path: "/parameters/nested/deep/kind", op: "REPLACE", before: "text", after: 7 },
        { path: "/parameters/nested/deep/added", op: "ADD", before: null, after: [1] },
        { path: "/parameters/m~0n", op: "REPLACE", before: 2, after: 3 },
        { path: "/parameters/ünï~1~0", op: "REPLACE", before: "old", after: "new" },
        { path: "/jobVariables/image", op: "REPLACE", before: "reg/img:1", after: "reg/img:2" },
        { path: "/jobVariables/env/B", op: "ADD", before: null, after: "2" },
        { path: "/pullSteps/2", op: "ADD", before: null, after: { step: "three" } },
      ]),
    );
    expect(diff.changes).toHaveLength(10);
    expect(JSON.stringify(diff.changes)).not.toMatch(/paused|concurrency/);
  });

  it("replaces a value whose JSON type changes, whole, and reads the same diff by number", async () => {
    const a = await createVersion(server, { flowName: "diff", name: "types", parameters: { v: { x: 1 }, l: [1, 2] } });
    await createVersion(server, { flowName: "diff", name: "types", parameters: { v: [1], l: "no" } });
    const result = await server.gql(BY_NUMBER, { id: a.deployment.id, a: 1, b: 2 });
    expect(result.errors).toBeUndefined();
    expect(result.data.deployment.version).toEqual({ number: 1, entrypoint: "flows/etl.py:main" });
    expect(result.data.deployment.diff.changes).toEqual([
      { path: "/parameters/v", op: "REPLACE", before: { x: 1 }, after: [1] },
      { path: "/parameters/l", op: "REPLACE", before: [1, 2], after: "no" },
    ]);
  });

  it("says identical for equal content whatever the names and source, and links the two commits", async () => {
    const source = (sha: string) => ({ type: "GITHUB", commitSha: sha, repository: "acme/etl", url: "https://github.com/acme/etl.git" });
    const a = await createVersion(server, { flowName: "diff", name: "same", version: "one", sourceInfo: source("a".repeat(40)) });
    const b = await createVersion(server, { flowName: "diff", name: "same", version: "two", sourceInfo: source("b".repeat(40)) });
    const diff = (await server.gql(DIFF, { from: a.version.id, to: b.version.id })).data.versionDiff;
    expect(diff).toMatchObject({ identical: true, changes: [], sourceCompareUrl: `https://github.com/acme/etl/compare/${"a".repeat(40)}...${"b".repeat(40)}` });
  });

  it("answers VERSION_NOT_FOUND for an unknown version or number", async () => {
    const a = await createVersion(server, { flowName: "diff", name: "missing" });
    expect(codes(await server.gql(DIFF, { from: a.version.id, to: "ver_zzzz" }))).toEqual(["VERSION_NOT_FOUND"]);
    expect(codes(await server.gql(BY_NUMBER, { id: a.deployment.id, a: 1, b: 9 }))).toEqual(["VERSION_NOT_FOUND"]);
  });
});

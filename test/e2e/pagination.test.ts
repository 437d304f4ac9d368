import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type GraphQLResult, type TestServer } from "../support/server";
import { PROMOTE, ROLLBACK, createVersion, deploymentWithVersions } from "../support/operations";

// docs/design.md, "Lookups and connections": Relay connections by keyset, newest first for histories, by flowName then
// name for deployments; first/last 0–100, not both; malformed or foreign cursors are BAD_USER_INPUT.

const PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";

const VERSIONS = `query Versions($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: VersionFilter) {
  deployment(id: $id) {
    versions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount edges { cursor node { number version } } ${PAGE_INFO}
    }
  }
}`;

const HISTORY = `query History($id: ID!, $first: Int, $after: String) {
  deployment(id: $id) {
    liveHistory(first: $first, after: $after) {
      totalCount edges { cursor node { sequence kind previousVersion { number } liveVersion { number } } } ${PAGE_INFO}
    }
  }
}`;

const DEPLOYMENTS = `query Deployments($first: Int, $after: String, $filter: DeploymentFilter) {
  deployments(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { flowName name } } ${PAGE_INFO}
  }
}`;

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Conn<N> {
  totalCount: number;
  edges: Array<{ cursor: string; node: N }>;
  pageInfo: PageInfo;
}
type VersionNode = { number: number; version: string };
type ChangeNode = { sequence: number; kind: string; previousVersion: { number: number } | null; liveVersion: { number: number } };
type DeploymentNode = { flowName: string; name: string };

const EMPTY_PAGE_INFO: PageInfo = { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };

/** Fails the test with the server's errors rather than a TypeError on `data`. */
function ok<T>(result: GraphQLResult<any>, pick: (data: any) => T): T {
  if (result.errors) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return pick(result.data);
}

const cursorOf = (kind: string, ...key: unknown[]) => Buffer.from(JSON.stringify([kind, ...key])).toString("base64url");
const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from > to ? from - i : from + i));

describe.each(STORES)("pagination on %s", (store) => {
  let server: TestServer;
  /** A deployment with versions 1..23 (23 live). */
  let main: string;

  beforeAll(async () => {
    server = await startServer(store);
    main = (await deploymentWithVersions(server, 23, "paged", "pagination")).deploymentId;
  });
  afterAll(() => server?.close());

  const versions = async (id: string, args: Record<string, unknown> = {}) =>
    ok(await server.gql(VERSIONS, { id, ...args }), (d) => d.deployment.versions as Conn<VersionNode>);
  const numbers = (page: Conn<VersionNode>) => page.edges.map((e) => e.node.number);
  const history = async (id: string, args: Record<string, unknown> = {}) =>
    ok(await server.gql(HISTORY, { id, ...args }), (d) => d.deployment.liveHistory as Conn<ChangeNode>);
  const deployments = async (args: Record<string, unknown>) => ok(await server.gql(DEPLOYMENTS, args), (d) => d.deployments as Conn<DeploymentNode>);
  const names = (page: Conn<DeploymentNode>) => page.edges.map((e) => `${e.node.flowName}/${e.node.name}`);

  describe("Deployment.versions", () => {
    it("answers a filter that matches nothing with an empty page and no cursors", async () => {
      const page = await versions(main, { filter: { version: "no-such-version" } });
      expect(page).toEqual({ totalCount: 0, edges: [], pageInfo: EMPTY_PAGE_INFO });
    });

    it("returns the first 20, newest first, when no size is given", async () => {
      const page = await versions(main);
      expect(numbers(page)).toEqual(range(23, 4));
      expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      expect(page.totalCount).toBe(23);
    });

    it("fits the whole list in one page when first equals the count", async () => {
      const page = await versions(main, { first: 23 });
      expect(numbers(page)).toEqual(range(23, 1));
      expect(page.pageInfo).toEqual({
        hasNextPage: false,
        hasPreviousPage: false,
        startCursor: page.edges[0]!.cursor,
        endCursor: page.edges[22]!.cursor,
      });
      expect(new Set(page.edges.map((e) => e.cursor)).size).toBe(23);
    });

    it("walks forward with first/after through every number exactly once, in order", async () => {
      const seen: number[] = [];
      const flags: Array<[boolean, boolean]> = [];
      let after: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const page: Conn<VersionNode> = await versions(main, { first: 5, after });
        seen.push(...numbers(page));
        flags.push([page.pageInfo.hasPreviousPage, page.pageInfo.hasNextPage]);
        expect(page.totalCount).toBe(23);
        expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(range(23, 1));
      expect(flags).toEqual([
        [false, true],
        [true, true],
        [true, true],
        [true, true],
        [true, false],
      ]);
    });

    it("ends on a short last page with hasNextPage false and hasPreviousPage true", async () => {
      const all = await versions(main, { first: 23 });
      const third = all.edges.find((e) => e.node.number === 3)!;
      const last = await versions(main, { first: 5, after: third.cursor });
      expect(numbers(last)).toEqual([2, 1]);
      expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const oldest = all.edges.at(-1)!;
      const beyond = await versions(main, { first: 5, after: oldest.cursor });
      expect(beyond.edges).toEqual([]);
      expect(beyond.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    });

    it("reports hasPreviousPage when paging forward from any cursor", async () => {
      const first = await versions(main, { first: 1 });
      expect(numbers(first)).toEqual([23]);
      expect(first.pageInfo.hasPreviousPage).toBe(false);
      const second = await versions(main, { first: 1, after: first.pageInfo.endCursor });
      expect(numbers(second)).toEqual([22]);
      expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    });

    it("gives the oldest N for last without before, and walks backwards with before", async () => {
      const oldest = await versions(main, { last: 5 });
      expect(numbers(oldest)).toEqual([5, 4, 3, 2, 1]);
      expect(oldest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
      expect(oldest.pageInfo.startCursor).toBe(oldest.edges[0]!.cursor);
      expect(oldest.pageInfo.endCursor).toBe(oldest.edges[4]!.cursor);

      const pages: number[][] = [numbers(oldest)];
      let before = oldest.pageInfo.startCursor;
      let hasPrevious = oldest.pageInfo.hasPreviousPage;
      for (let guard = 0; hasPrevious && guard < 10; guard++) {
        const page: Conn<VersionNode> = await versions(main, { last: 5, before });
        pages.push(numbers(page));
        expect(page.pageInfo.hasNextPage).toBe(true);
        expect(page.totalCount).toBe(23);
        hasPrevious = page.pageInfo.hasPreviousPage;
        before = page.pageInfo.startCursor;
      }
      expect(pages).toEqual([range(5, 1), range(10, 6), range(15, 11), range(20, 16), range(23, 21)]);
      expect(pages.reverse().flat()).toEqual(range(23, 1));
    });

    it("pages backwards from a cursor with before alone, by the default size", async () => {
      const all = await versions(main, { first: 23 });
      const v3 = all.edges.find((e) => e.node.number === 3)!;
      const page = await versions(main, { before: v3.cursor });
      expect(numbers(page)).toEqual(range(23, 4));
      expect(page.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    });

    it("neither shifts nor repeats items when a version is created while paging", async () => {
      const { deploymentId } = await deploymentWithVersions(server, 6, "moving", "pagination");
      const first = await versions(deploymentId, { first: 3 });
      expect(numbers(first)).toEqual([6, 5, 4]);
      await createVersion(server, { deploymentId, entrypoint: "flows/etl.py:v7" });
      const second = await versions(deploymentId, { first: 3, after: first.pageInfo.endCursor });
      expect(numbers(second)).toEqual([3, 2, 1]);
      expect(second.pageInfo.hasNextPage).toBe(false);
      expect(second.totalCount).toBe(7);

      const oldest = await versions(deploymentId, { last: 3 });
      expect(numbers(oldest)).toEqual([3, 2, 1]);
      await createVersion(server, { deploymentId, entrypoint: "flows/etl.py:v8" });
      const newer = await versions(deploymentId, { last: 3, before: oldest.pageInfo.startCursor });
      expect(numbers(newer)).toEqual([6, 5, 4]);
      expect(newer.pageInfo.hasPreviousPage).toBe(true);
      expect(numbers(await versions(deploymentId, { first: 2 }))).toEqual([8, 7]);
    });

    it("answers first: 0 with no edges, the total, and hasNextPage", async () => {
      const page = await versions(main, { first: 0 });
      expect(page).toEqual({ totalCount: 23, edges: [], pageInfo: { ...EMPTY_PAGE_INFO, hasNextPage: true } });
    });

    it("accepts 100 as first and last", async () => {
      expect(numbers(await versions(main, { first: 100 }))).toEqual(range(23, 1));
      expect(numbers(await versions(main, { last: 100 }))).toEqual(range(23, 1));
    });

    it.each([
      [{ first: 101 }, "first"],
      [{ first: -1 }, "first"],
      [{ last: 101 }, "last"],
      [{ last: -1 }, "last"],
    ])("refuses the page size %j with BAD_USER_INPUT", async (args, field) => {
      const result = await server.gql(VERSIONS, { id: main, ...args });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toContain(field);
    });

    it("refuses first with last, after with last, and before with first", async () => {
      const { edges } = await versions(main, { first: 2 });
      const cursor = edges[1]!.cursor;
      for (const args of [
        { first: 2, last: 2 },
        { first: 0, last: 0 },
        { last: 2, after: cursor },
        { first: 2, before: cursor },
        { after: cursor, before: cursor },
      ]) {
        expect(codes(await server.gql(VERSIONS, { id: main, ...args })), JSON.stringify(args)).toEqual(["BAD_USER_INPUT"]);
      }
    });

    it.each([
      ["garbage", "not-a-cursor"],
      ["empty", ""],
      ["not base64url", "!!!!"],
      ["base64 of text", Buffer.from("hello").toString("base64url")],
      ["a JSON object", Buffer.from(JSON.stringify({ kind: "version", key: 3 })).toString("base64url")],
      ["a string key", cursorOf("version", "3")],
      ["a negative key", cursorOf("version", -1)],
      ["a fractional key", cursorOf("version", 1.5)],
      ["two keys", cursorOf("version", 1, 2)],
      ["an over-long cursor", "A".repeat(5000)],
    ])("refuses a malformed cursor (%s) as after and as before", async (_what, cursor) => {
      expect(codes(await server.gql(VERSIONS, { id: main, first: 2, after: cursor }))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await server.gql(VERSIONS, { id: main, last: 2, before: cursor }))).toEqual(["BAD_USER_INPUT"]);
    });

    it("refuses cursors of other lists: a liveHistory cursor, a deployments cursor", async () => {
      const changeCursor = (await history(main, { first: 1 })).pageInfo.endCursor!;
      expect(codes(await server.gql(VERSIONS, { id: main, first: 2, after: changeCursor }))).toEqual(["BAD_USER_INPUT"]);
      const deploymentCursor = (await deployments({ first: 1, filter: { flowName: "pagination" } })).pageInfo.endCursor!;
      expect(codes(await server.gql(VERSIONS, { id: main, first: 2, after: deploymentCursor }))).toEqual(["BAD_USER_INPUT"]);
      // The same list's cursor, rebuilt, is accepted: the refusal is about the kind, not the encoding.
      expect(numbers(await versions(main, { first: 2, after: cursorOf("version", 10) }))).toEqual([9, 8]);
    });
  });

  describe("Deployment.versions filters", () => {
    const SHA_A = "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111";
    const SHA_B = "abcd2222abcd2222abcd2222abcd2222abcd2222";
    const SHA_C = "abcd3333abcd3333abcd3333abcd3333abcd3333";
    const SHA_D = "ABCD4444ABCD4444ABCD4444ABCD4444ABCD4444";
    let filtered: string;

    beforeAll(async () => {
      const specs: Array<{ version: string; sourceInfo: Record<string, unknown> }> = [
        { version: "1.0", sourceInfo: { type: "GIT", branch: "main", commitSha: SHA_A } },
        { version: "1.1", sourceInfo: { type: "GIT", branch: "dev", commitSha: SHA_B } },
        { version: "1.0", sourceInfo: { type: "GIT", branch: "main", commitSha: SHA_C } },
        { version: "RC1", sourceInfo: { type: "GIT", branch: "main" } },
        { version: "2.0", sourceInfo: { type: "GIT", branch: "release", commitSha: SHA_D } },
      ];
      for (const spec of specs) filtered = (await createVersion(server, { flowName: "pagination", name: "filtered", ...spec })).deployment.id;
    });

    const filter = async (f: Record<string, unknown>, args: Record<string, unknown> = {}) => {
      const page = await versions(filtered, { filter: f, ...args });
      return { numbers: numbers(page), total: page.totalCount, pageInfo: page.pageInfo };
    };

    it("filters by branch", async () => {
      expect(await filter({ branch: "main" })).toMatchObject({ numbers: [4, 3, 1], total: 3 });
      expect(await filter({ branch: "dev" })).toMatchObject({ numbers: [2], total: 1 });
      expect(await filter({ branch: "release" })).toMatchObject({ numbers: [5], total: 1 });
      expect(await filter({ branch: "feature" })).toMatchObject({ numbers: [], total: 0 });
    });

    // "Exact" as git and the version name mean it: Main is another branch than main.
    it("matches branch and version exactly, case included", async () => {
      let id = "";
      for (const [version, branch] of [
        ["RC1", "main"],
        ["rc1", "Main"],
        ["Rc1", "MAIN"],
      ] as const) {
        id = (await createVersion(server, { flowName: "pagination", name: "case-exact", version, sourceInfo: { type: "GIT", branch } })).deployment.id;
      }
      const exact = async (f: Record<string, unknown>) => numbers(await versions(id, { filter: f }));
      expect({
        "branch main": await exact({ branch: "main" }),
        "branch Main": await exact({ branch: "Main" }),
        "version RC1": await exact({ version: "RC1" }),
        "version rc1": await exact({ version: "rc1" }),
        "version rC1": await exact({ version: "rC1" }),
      }).toEqual({ "branch main": [1], "branch Main": [2], "version RC1": [1], "version rc1": [2], "version rC1": [] });
    });

    it("filters by exact version name, which is not unique", async () => {
      expect(await filter({ version: "1.0" })).toMatchObject({ numbers: [3, 1], total: 2 });
      expect(await filter({ version: "1" })).toMatchObject({ numbers: [], total: 0 });
    });

    it("filters by commit SHA prefix of at least 4 hex characters, in any case", async () => {
      expect(await filter({ commitSha: "abcd" })).toMatchObject({ numbers: [5, 3, 2], total: 3 });
      expect(await filter({ commitSha: "ABCD" })).toMatchObject({ numbers: [5, 3, 2], total: 3 });
      expect(await filter({ commitSha: "abcd3" })).toMatchObject({ numbers: [3], total: 1 });
      expect(await filter({ commitSha: SHA_A.toUpperCase() })).toMatchObject({ numbers: [1], total: 1 });
      expect(await filter({ commitSha: "ffff" })).toMatchObject({ numbers: [], total: 0 });
    });

    it.each(["abc", "zzzz", "abcd-", "a".repeat(65), ""])("refuses the commitSha filter %j with BAD_USER_INPUT", async (commitSha) => {
      const result = await server.gql(VERSIONS, { id: filtered, filter: { commitSha } });
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toContain("commitSha");
    });

    it("combines filters, all of which must match", async () => {
      expect(await filter({ branch: "main", version: "1.0" })).toMatchObject({ numbers: [3, 1], total: 2 });
      expect(await filter({ branch: "main", commitSha: "abcd" })).toMatchObject({ numbers: [3], total: 1 });
      expect(await filter({ branch: "dev", version: "1.0" })).toMatchObject({ numbers: [], total: 0 });
    });

    it("pages through a filtered list with the filtered total on every page", async () => {
      const one = await filter({ branch: "main" }, { first: 2 });
      expect(one).toMatchObject({ numbers: [4, 3], total: 3, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
      const two = await filter({ branch: "main" }, { first: 2, after: one.pageInfo.endCursor });
      expect(two).toMatchObject({ numbers: [1], total: 3, pageInfo: { hasNextPage: false, hasPreviousPage: true } });
      const back = await filter({ branch: "main" }, { last: 1 });
      expect(back).toMatchObject({ numbers: [1], total: 3, pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    });
  });

  describe("Deployment.liveHistory", () => {
    it("pages the live log newest first", async () => {
      const { deploymentId } = await deploymentWithVersions(server, 3, "history", "pagination");
      await server.gql(ROLLBACK, { input: { deploymentId, number: 1 } });
      await server.gql(PROMOTE, { input: { deploymentId } });

      const seen: ChangeNode[] = [];
      const flags: Array<[boolean, boolean]> = [];
      let after: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const page: Conn<ChangeNode> = await history(deploymentId, { first: 2, after });
        expect(page.totalCount).toBe(5);
        seen.push(...page.edges.map((e) => e.node));
        flags.push([page.pageInfo.hasPreviousPage, page.pageInfo.hasNextPage]);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen.map((c) => [c.kind, c.previousVersion?.number ?? null, c.liveVersion.number])).toEqual([
        ["PROMOTE", 1, 3],
        ["ROLLBACK", 3, 1],
        ["CREATE", 2, 3],
        ["CREATE", 1, 2],
        ["CREATE", null, 1],
      ]);
      const sequences = seen.map((c) => c.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
      expect(new Set(sequences).size).toBe(5);
      expect(flags).toEqual([
        [false, true],
        [true, true],
        [true, false],
      ]);
    });

    it("refuses bad sizes and cursors of other lists", async () => {
      const versionCursor = (await versions(main, { first: 1 })).pageInfo.endCursor!;
      expect(codes(await server.gql(HISTORY, { id: main, first: 101 }))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await server.gql(HISTORY, { id: main, first: -1 }))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await server.gql(HISTORY, { id: main, after: versionCursor }))).toEqual(["BAD_USER_INPUT"]);
      expect(codes(await server.gql(HISTORY, { id: main, after: "garbage" }))).toEqual(["BAD_USER_INPUT"]);
    });
  });

  describe("Query.deployments", () => {
    beforeAll(async () => {
      const pairs = [
        ["pq-b", "kw7-2"],
        ["pq-c", "kw7-0"],
        ["pq-a", "x-kw7"],
        ["pq-b", "kw7-1"],
        ["pq-a", "kw7-3"],
        ["ci-flow", "Report-Daily"],
        ["ci-flow", "report-weekly"],
        ["ci-flow", "REPORT-monthly"],
        ["ci-flow", "summary"],
        ["wild", "50%-off"],
        ["wild", "500-off"],
        ["wild", "a_b"],
        ["wild", "axb"],
        ["wild", "bang!x"],
        ["wild", "bangx"],
      ];
      for (const [flowName, name] of pairs) await createVersion(server, { flowName, name });
    });

    it("orders by flowName then name and pages with first/after across flows", async () => {
      const expected = ["pq-a/kw7-3", "pq-a/x-kw7", "pq-b/kw7-1", "pq-b/kw7-2", "pq-c/kw7-0"];
      const all = await deployments({ filter: { nameContains: "kw7" } });
      expect(names(all)).toEqual(expected);
      expect(all.totalCount).toBe(5);

      const seen: string[] = [];
      const flags: Array<[boolean, boolean]> = [];
      let after: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const page: Conn<DeploymentNode> = await deployments({ first: 2, after, filter: { nameContains: "kw7" } });
        expect(page.totalCount).toBe(5);
        seen.push(...names(page));
        flags.push([page.pageInfo.hasPreviousPage, page.pageInfo.hasNextPage]);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
      expect(flags).toEqual([
        [false, true],
        [true, true],
        [true, false],
      ]);
    });

    it("filters by exact flowName", async () => {
      expect(names(await deployments({ filter: { flowName: "pq-b" } }))).toEqual(["pq-b/kw7-1", "pq-b/kw7-2"]);
      expect((await deployments({ filter: { flowName: "pq" } })).totalCount).toBe(0);
      expect((await deployments({ filter: { flowName: "PQ-B" } })).totalCount).toBe(0);
      const combined = await deployments({ filter: { flowName: "pq-a", nameContains: "x-" } });
      expect(names(combined)).toEqual(["pq-a/x-kw7"]);
      expect(combined.totalCount).toBe(1);
    });

    // docs/design.md, "Deployments": names compare byte for byte, so a trailing space is another (impossible) name.
    it("matches flowName byte for byte, trailing space included", async () => {
      expect(names(await deployments({ filter: { flowName: "pq-b " } }))).toEqual([]);
      expect((await deployments({ filter: { flowName: "pq-b  " } })).totalCount).toBe(0);
    });

    it("matches nameContains regardless of ASCII case", async () => {
      const expected = ["ci-flow/REPORT-monthly", "ci-flow/Report-Daily", "ci-flow/report-weekly"];
      for (const nameContains of ["report", "REPORT", "RePoRt"]) {
        const page = await deployments({ filter: { flowName: "ci-flow", nameContains } });
        expect(names(page), nameContains).toEqual(expected);
        expect(page.totalCount).toBe(3);
      }
    });

    it.each([
      ["%", ["wild/50%-off"]],
      ["0%", ["wild/50%-off"]],
      ["_", ["wild/a_b"]],
      ["a_b", ["wild/a_b"]],
      ["!", ["wild/bang!x"]],
      ["g!x", ["wild/bang!x"]],
      ["0-off", ["wild/500-off"]],
    ])("matches %j in nameContains literally", async (nameContains, expected) => {
      const page = await deployments({ filter: { flowName: "wild", nameContains } });
      expect(names(page)).toEqual(expected);
      expect(page.totalCount).toBe(expected.length);
    });

    it("answers first: 0 and refuses bad sizes and foreign or malformed cursors", async () => {
      const zero = await deployments({ first: 0, filter: { flowName: "pq-b" } });
      expect(zero).toEqual({ totalCount: 2, edges: [], pageInfo: { ...EMPTY_PAGE_INFO, hasNextPage: true } });
      const versionCursor = (await versions(main, { first: 1 })).pageInfo.endCursor!;
      for (const args of [{ first: 101 }, { first: -1 }, { after: "garbage" }, { after: versionCursor }, { after: cursorOf("deployment", 1, 2) }]) {
        expect(codes(await server.gql(DEPLOYMENTS, args)), JSON.stringify(args)).toEqual(["BAD_USER_INPUT"]);
      }
    });

    it("pages past deployments whose names are as long as allowed", async () => {
      const flowName = `long-${"f".repeat(195)}`;
      await createVersion(server, { flowName, name: "a".repeat(200) });
      await createVersion(server, { flowName, name: "b".repeat(200) });
      const first = await deployments({ first: 1, filter: { flowName } });
      expect(first.edges[0]!.node.name).toBe("a".repeat(200));
      const second = await server.gql(DEPLOYMENTS, { first: 1, after: first.pageInfo.endCursor, filter: { flowName } });
      expect(second.errors ?? []).toEqual([]);
      expect(second.data.deployments.edges.map((e: { node: DeploymentNode }) => e.node.name)).toEqual(["b".repeat(200)]);
    });

    it("pages past deployments with non-ASCII names", async () => {
      await createVersion(server, { flowName: "unicode-paging", name: "données-😀" });
      await createVersion(server, { flowName: "unicode-paging", name: "zzz" });
      const first = await deployments({ first: 1, filter: { flowName: "unicode-paging" } });
      expect(names(first)).toEqual(["unicode-paging/données-😀"]);
      const second = await deployments({ first: 1, after: first.pageInfo.endCursor, filter: { flowName: "unicode-paging" } });
      expect(names(second)).toEqual(["unicode-paging/zzz"]);
      expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    });
  });
});

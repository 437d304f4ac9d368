import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { TEST_ADMIN_NAME } from "../support/server";
import { PROMOTE, ROLLBACK, createVersion, deploymentWithVersions } from "../support/operations";

// docs/design.md, "Lookups and connections": lookups that resolve to null instead of failing, the version's derived fields
// (isLive, deployment, codePin), live history, and the HTTP edge's own errors.

const FULL_SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"ab".repeat(32)}`;

const DEPLOYMENT = `query D($id: ID!) {
  deployment(id: $id) { id flowName name versionCount liveVersion { id number isLive } }
}`;
const BY_NAME = `query N($flowName: String!, $name: String!) {
  deploymentByName(flowName: $flowName, name: $name) { id flowName name liveVersion { id number } }
}`;
const VERSION = `query V($id: ID!) {
  deploymentVersion(id: $id) {
    id number version isLive entrypoint createdBy
    deployment { id flowName name liveVersion { id } }
    codePin { commitSha repository imageDigest pinned warnings }
  }
}`;
const HISTORY = `query H($id: ID!) {
  deployment(id: $id) {
    liveHistory { totalCount edges { node {
      id sequence kind actor reason at deployment { id } previousVersion { id number } liveVersion { id number }
    } } }
  }
}`;

/** POSTs a raw body to `url` and returns the status and parsed JSON (or the text). */
async function post(url: string, body: string, contentType = "application/json") {
  const response = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
  const text = await response.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, text };
}

/** POSTs a body in chunks without a content-length header, so the server must count as it reads. */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    // The server may answer and stop reading before every chunk is sent.
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe.each(STORES)("queries on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const data = async (query: string, variables: Record<string, unknown>) => {
    const result = await server.gql(query, variables);
    expect(result.errors ?? []).toEqual([]);
    return result.data;
  };

  describe("lookups", () => {
    it("finds a deployment by id and by name, with its live version", async () => {
      const { deploymentId, ids } = await deploymentWithVersions(server, 2, "lookup", "queries");
      expect((await data(DEPLOYMENT, { id: deploymentId })).deployment).toEqual({
        id: deploymentId,
        flowName: "queries",
        name: "lookup",
        versionCount: 2,
        liveVersion: { id: ids[2], number: 2, isLive: true },
      });
      expect((await data(BY_NAME, { flowName: "queries", name: "lookup" })).deploymentByName).toEqual({
        id: deploymentId,
        flowName: "queries",
        name: "lookup",
        liveVersion: { id: ids[2], number: 2 },
      });
    });

    it("answers null, without errors, for a deployment that does not exist or an id that is malformed", async () => {
      const { ids } = await deploymentWithVersions(server, 1, "nulls", "queries");
      for (const id of [
        "",
        "dep_",
        "dep_abc",
        "dep_0",
        "dep_01",
        "dep_-1",
        "dep_1.0",
        "dep_999999",
        "dep_99999999999999999999",
        "DEP_1",
        ids[1]!,
        "ver_1",
        "chg_1",
      ]) {
        expect((await data(DEPLOYMENT, { id })).deployment, id).toBeNull();
      }
    });

    it("answers null for a name that does not exist, also one differing by case or trailing space", async () => {
      await createVersion(server, { flowName: "queries", name: "exact" });
      const found: Record<string, string | null> = {};
      for (const [flowName, name] of [
        ["queries", "missing"],
        ["queries", "Exact"],
        ["Queries", "exact"],
        ["queries", "exact "],
        ["queries ", "exact"],
        ["queries", "exac"],
      ]) {
        found[JSON.stringify([flowName, name])] = (await data(BY_NAME, { flowName, name })).deploymentByName?.id ?? null;
      }
      expect(Object.entries(found).filter(([, id]) => id !== null)).toEqual([]);
    });

    it("answers null for a version that does not exist or an id that is malformed", async () => {
      const { deploymentId } = await deploymentWithVersions(server, 1, "version-nulls", "queries");
      for (const id of ["", "ver_", "ver_abc", "ver_0", "ver_007", "ver_999999", deploymentId, "dep_1", "chg_1"]) {
        expect((await data(VERSION, { id })).deploymentVersion, id).toBeNull();
      }
    });
  });

  describe("DeploymentVersion", () => {
    it("tells whether it is live and which deployment it belongs to", async () => {
      const { deploymentId, ids } = await deploymentWithVersions(server, 2, "is-live", "queries");
      const older = (await data(VERSION, { id: ids[1] })).deploymentVersion;
      expect(older).toMatchObject({ id: ids[1], number: 1, isLive: false, createdBy: TEST_ADMIN_NAME, entrypoint: "flows/etl.py:v1" });
      expect(older.deployment).toEqual({ id: deploymentId, flowName: "queries", name: "is-live", liveVersion: { id: ids[2] } });
      expect((await data(VERSION, { id: ids[2] })).deploymentVersion.isLive).toBe(true);

      await server.gql(ROLLBACK, { input: { deploymentId } });
      expect((await data(VERSION, { id: ids[1] })).deploymentVersion.isLive).toBe(true);
      expect((await data(VERSION, { id: ids[2] })).deploymentVersion.isLive).toBe(false);
      expect((await data(DEPLOYMENT, { id: deploymentId })).deployment.liveVersion).toEqual({ id: ids[1], number: 1, isLive: true });
    });

    it("is pinned when its git_clone step has a full SHA and its image a digest", async () => {
      const created = await createVersion(server, {
        flowName: "queries",
        name: "pinned",
        pullSteps: [{ "prefect.deployments.steps.git_clone": { repository: "https://github.com/org/repo.git", commit_sha: FULL_SHA } }],
        jobVariables: { image: `registry.example.com:5000/etl@${DIGEST}` },
      });
      expect((await data(VERSION, { id: created.version.id })).deploymentVersion.codePin).toEqual({
        commitSha: FULL_SHA,
        repository: "https://github.com/org/repo.git",
        imageDigest: DIGEST,
        pinned: true,
        warnings: [],
      });
    });

    it("is not pinned, with a warning, when git_clone follows a branch and the image a tag", async () => {
      const created = await createVersion(server, {
        flowName: "queries",
        name: "branch",
        pullSteps: [{ git_clone: { repository: "https://github.com/org/repo.git", branch: "main" } }],
        jobVariables: { image: "registry.example.com:5000/etl:latest" },
      });
      expect((await data(VERSION, { id: created.version.id })).deploymentVersion.codePin).toEqual({
        commitSha: null,
        repository: "https://github.com/org/repo.git",
        imageDigest: null,
        pinned: false,
        warnings: ["git_clone follows branch main", "image uses tag latest"],
      });
    });

    it("is not pinned when the SHA is abbreviated, and not pinned when there is no code source", async () => {
      const abbreviated = await createVersion(server, {
        flowName: "queries",
        name: "abbreviated",
        pullSteps: [{ git_clone: { repository: "https://github.com/org/repo.git", commit_sha: "0123abcd" } }],
      });
      expect((await data(VERSION, { id: abbreviated.version.id })).deploymentVersion.codePin).toEqual({
        commitSha: "0123abcd",
        repository: "https://github.com/org/repo.git",
        imageDigest: null,
        pinned: false,
        warnings: ["commit_sha is abbreviated"],
      });
      const none = await createVersion(server, { flowName: "queries", name: "no-source" });
      expect((await data(VERSION, { id: none.version.id })).deploymentVersion.codePin).toEqual({
        commitSha: null,
        repository: null,
        imageDigest: null,
        pinned: false,
        warnings: [],
      });
    });
  });

  describe("live history and payloads", () => {
    it("records every move with actor, kind, previous and live versions, newest first", async () => {
      const { deploymentId, ids } = await deploymentWithVersions(server, 3, "history", "queries");
      await server.gql(ROLLBACK, { input: { deploymentId, number: 1, reason: "broken build" } });
      await server.gql(PROMOTE, { input: { deploymentId, number: 2 } });
      const history = (await data(HISTORY, { id: deploymentId })).deployment.liveHistory;
      expect(history.totalCount).toBe(5);
      const nodes = history.edges.map((e: { node: any }) => e.node);
      expect(nodes.map((n: any) => [n.kind, n.previousVersion?.id ?? null, n.liveVersion.id, n.reason])).toEqual([
        ["PROMOTE", ids[1], ids[2], null],
        ["ROLLBACK", ids[3], ids[1], "broken build"],
        ["CREATE", ids[2], ids[3], null],
        ["CREATE", ids[1], ids[2], null],
        ["CREATE", null, ids[1], null],
      ]);
      for (const node of nodes) {
        expect(node.actor).toBe(TEST_ADMIN_NAME);
        expect(node.deployment).toEqual({ id: deploymentId });
        expect(node.id).toMatch(/^chg_[1-9]\d*$/);
        expect(Number.isNaN(Date.parse(node.at))).toBe(false);
      }
      const sequences = nodes.map((n: any) => n.sequence as number);
      expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    });

    it("returns the deployment as it is after createVersion, with the new version live", async () => {
      const first = await createVersion(server, { flowName: "queries", name: "payload" });
      expect(first.deployment).toMatchObject({ versionCount: 1, liveVersion: { id: first.version.id, number: 1 } });
      expect(first.version).toMatchObject({ number: 1, version: "v1", isLive: true, createdBy: TEST_ADMIN_NAME });
      expect(first.change).toMatchObject({ kind: "CREATE", actor: TEST_ADMIN_NAME, previousVersion: null, liveVersion: { id: first.version.id } });

      const second = await createVersion(server, { deploymentId: first.deployment.id, entrypoint: "flows/etl.py:other" });
      expect(second.deployment).toMatchObject({ id: first.deployment.id, versionCount: 2, liveVersion: { id: second.version.id, number: 2 } });
      expect(second.change).toMatchObject({ previousVersion: { id: first.version.id, number: 1 }, liveVersion: { id: second.version.id, number: 2 } });
      expect((await data(VERSION, { id: first.version.id })).deploymentVersion.isLive).toBe(false);
    });
  });

  describe("GraphQL and HTTP errors", () => {
    // These answer 4xx in GraphQL's own media type; in plain application/json, 200 (graphql-over-http.test.ts).
    const GRAPHQL_RESPONSE = { accept: "application/graphql-response+json" };
    it("answers a syntax error with GRAPHQL_PARSE_FAILED", async () => {
      const result = await server.gql("query { deployment(id: ", undefined, GRAPHQL_RESPONSE);
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    });

    it("answers an unknown field with GRAPHQL_VALIDATION_FAILED", async () => {
      const result = await server.gql(`query { deployments { edges { node { id noSuchField } } } }`, undefined, GRAPHQL_RESPONSE);
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
      expect(result.errors![0]!.message).toContain("noSuchField");
    });

    it("answers a missing required variable with BAD_USER_INPUT", async () => {
      const result = await server.gql(`query D($id: ID!) { deployment(id: $id) { id } }`, {}, GRAPHQL_RESPONSE);
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toContain("$id");
    });

    it("answers 404 for any path but /graphql (and the history page's, which take GET only)", async () => {
      const base = new URL(server.url);
      const page = await fetch(new URL("/", base), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(page.status).toBe(405);
      await page.text();
      for (const path of ["/graphq", "/graphql/extra", "/api/graphql"]) {
        const response = await fetch(new URL(path, base), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        expect(response.status, path).toBe(404);
        await response.text();
      }
    });

    it("answers an invalid JSON body with 400 BAD_REQUEST", async () => {
      const response = await post(server.url, '{"query": "{ deployments { totalCount } }"');
      expect(response.status).toBe(400);
      expect(response.json.errors.map((e: any) => e.extensions.code)).toEqual(["BAD_REQUEST"]);
    });

    describe("with a 2048-byte body limit", () => {
      let small: TestServer;
      beforeAll(async () => void (small = await startServer(store, { WAYMARK_MAX_BODY_BYTES: "2048" })));
      afterAll(() => small?.close());

      const QUERY = `query N($flowName: String!, $name: String!) { deploymentByName(flowName: $flowName, name: $name) { id } }`;

      it("serves a body under the limit", async () => {
        const result = await small.gql(QUERY, { flowName: "x".repeat(1500), name: "y" });
        expect(result.status).toBe(200);
        expect(result.errors).toBeUndefined();
        expect(result.data).toEqual({ deploymentByName: null });
      });

      it("refuses a body over the limit with 413 PAYLOAD_TOO_LARGE", async () => {
        const result = await small.gql(QUERY, { flowName: "x".repeat(3000), name: "y" });
        expect(result.status).toBe(413);
        expect(codes(result)).toEqual(["PAYLOAD_TOO_LARGE"]);
      });

      it("refuses a chunked body over the limit that declares no length", async () => {
        const body = JSON.stringify({ query: QUERY, variables: { flowName: "x".repeat(4000), name: "y" } });
        const chunks = body.match(/[\s\S]{1,500}/g)!;
        const response = await postChunked(small.url, chunks);
        expect(response.status).toBe(413);
        expect(JSON.parse(response.text).errors.map((e: any) => e.extensions.code)).toEqual(["PAYLOAD_TOO_LARGE"]);
      });
    });
  });
});

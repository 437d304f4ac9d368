import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { TEST_ADMIN_NAME } from "../support/server";
import { CREATE_VERSION, DEPLOYMENT, createVersion } from "../support/operations";

// docs/design.md, "Versions" and "Versioned and non-versioned properties": defaults of every versioned property, version names, contentHash, createdBy, settings.
describe.each(STORES)("createVersion on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  it("creates the deployment with version 1 and fills every default", async () => {
    const before = Date.now();
    const { deployment, version, change } = await createVersion(server, { flowName: "etl", name: "defaults", entrypoint: "flows/etl.py:main" });
    expect(deployment).toMatchObject({
      flowName: "etl",
      name: "defaults",
      paused: false,
      schedules: [],
      concurrencyLimit: null,
      concurrencyOptions: null,
      versionCount: 1,
    });
    expect(version).toMatchObject({
      number: 1,
      version: "v1",
      isLive: true,
      entrypoint: "flows/etl.py:main",
      description: null,
      tags: [],
      labels: {},
      parameters: {},
      parameterOpenapiSchema: null,
      enforceParameterSchema: true,
      workPoolName: null,
      workQueueName: null,
      jobVariables: {},
      pullSteps: [],
      sourceInfo: null,
      createdBy: TEST_ADMIN_NAME,
    });
    expect(version.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(version.createdAt as string)).toBeGreaterThanOrEqual(before - 1);
    expect(change).toMatchObject({ kind: "CREATE", actor: TEST_ADMIN_NAME, reason: null, previousVersion: null, liveVersion: { id: version.id } });
  });

  it("stores every versioned property as given and reads it back", async () => {
    const full = {
      flowName: "etl",
      name: "full",
      entrypoint: "flows/etl.py:main",
      description: "nightly load",
      tags: ["etl", "prod"],
      labels: { team: "data" },
      parameters: { days: 3, nested: { a: [1, 2] } },
      parameterOpenapiSchema: { type: "object", properties: {} },
      enforceParameterSchema: false,
      workPoolName: "k8s",
      workQueueName: "high",
      jobVariables: { image: `reg/img@sha256:${"a".repeat(64)}` },
      pullSteps: [{ "prefect.deployments.steps.git_clone": { repository: "https://github.com/org/repo.git", commit_sha: "b".repeat(40) } }],
    };
    const { version } = await createVersion(server, full);
    const { flowName: _f, name: _n, ...versioned } = full;
    expect(version).toMatchObject(versioned);
  });

  it("names a version by the client, else the commit's first 8 characters, else v<number>", async () => {
    const sha = "0123456789ABCDEF0123456789abcdef01234567";
    const given = await createVersion(server, { flowName: "names", name: "n", version: "1.2.0", sourceInfo: { commitSha: sha } });
    const fromSha = await createVersion(server, { flowName: "names", name: "n", sourceInfo: { type: "GITHUB", commitSha: sha, branch: "main" } });
    const numbered = await createVersion(server, { flowName: "names", name: "n" });
    expect([given.version.version, fromSha.version.version, numbered.version.version]).toEqual(["1.2.0", "01234567", "v3"]);
  });

  it("records source info, keeping only the first line of the message", async () => {
    const sourceInfo = {
      type: "GITLAB",
      version: "abc",
      commitSha: "abcdef12",
      branch: "feature/x",
      repository: "group/project",
      url: "https://gitlab.com/group/project/-/tree/abcdef12",
      message: "Fix the loader\n\nLonger explanation",
    };
    const { version } = await createVersion(server, { flowName: "src", name: "s", sourceInfo });
    expect(version.sourceInfo).toEqual({ ...sourceInfo, message: "Fix the loader" });
  });

  it("hashes content independently of version name, source info and key order", async () => {
    const a = await createVersion(server, { flowName: "hash", name: "h", version: "a", parameters: { x: 1, y: { b: 2, a: 1 } } });
    const b = await createVersion(server, {
      flowName: "hash",
      name: "h",
      version: "b",
      sourceInfo: { commitSha: "abcd" },
      parameters: { y: { a: 1, b: 2 }, x: 1 },
    });
    const c = await createVersion(server, { flowName: "hash", name: "h", parameters: { x: 2, y: { a: 1, b: 2 } } });
    const explicitDefaults = await createVersion(server, {
      flowName: "hash",
      name: "h",
      parameters: { x: 1, y: { b: 2, a: 1 } },
      tags: [],
      enforceParameterSchema: true,
    });
    expect(a.version.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.version.contentHash).toBe(a.version.contentHash);
    expect(explicitDefaults.version.contentHash).toBe(a.version.contentHash);
    expect(c.version.contentHash).not.toBe(a.version.contentHash);
  });

  it("applies settings to the deployment without versioning them; an absent field is unchanged, null resets it", async () => {
    const first = await createVersion(server, {
      flowName: "set",
      name: "s",
      settings: { paused: true, concurrencyLimit: 2, schedules: [{ cron: "* * * * *" }] },
    });
    expect(first.deployment).toMatchObject({ paused: true, concurrencyLimit: 2, schedules: [{ cron: "* * * * *" }] });
    const second = await createVersion(server, { flowName: "set", name: "s", settings: { concurrencyLimit: null } });
    expect(second.deployment).toMatchObject({ paused: true, concurrencyLimit: null, schedules: [{ cron: "* * * * *" }] });
    expect(second.version.contentHash).toBe(first.version.contentHash);
    const third = await createVersion(server, { deploymentId: first.deployment.id, settings: { paused: null, schedules: null } });
    expect(third.deployment).toMatchObject({ paused: false, schedules: [], versionCount: 3 });
  });

  it("adds versions to an existing deployment by id, and refuses an unknown id", async () => {
    const first = await createVersion(server, { flowName: "byid", name: "b" });
    const second = await createVersion(server, { deploymentId: first.deployment.id });
    expect(second.version.number).toBe(2);
    const unknown = await server.gql(CREATE_VERSION, { input: { deploymentId: "dep_987654", entrypoint: "x.py:f" } });
    expect(codes(unknown)).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    const malformed = await server.gql(CREATE_VERSION, { input: { deploymentId: "nonsense", entrypoint: "x.py:f" } });
    expect(codes(malformed)).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect((await server.gql(DEPLOYMENT, { id: first.deployment.id })).data.deployment.versionCount).toBe(2);
  });
});

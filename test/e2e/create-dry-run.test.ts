import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { CREATE_VERSION, createVersion } from "../support/operations";
import { subscribe } from "../support/subscriptions";

// createVersion(input: { dryRun: true }) runs every check a real call runs and answers with the
// version it would create, writing nothing and publishing nothing.

const DRY = `mutation Dry($input: CreateVersionInput!) {
  createVersion(input: $input) {
    dryRun
    deployment { id flowName name versionCount paused liveVersion { id number } }
    version { id number version contentHash isLive createdBy sourceInfo { commitSha } codePin { pinned commitSha } deployment { id } }
    change { id }
  }
}`;

const SHA = "abcdef0123456789abcdef0123456789abcdef01";
const pullSteps = [{ "prefect.deployments.steps.git_clone": { repository: "https://github.com/acme/etl.git", commit_sha: SHA } }];

describe.each(STORES)("createVersion with dryRun on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const byName = async (name: string) =>
    (await server.gql(`query($n: String!) { deploymentByName(flowName: "dry", name: $n) { versionCount liveHistory { totalCount } } }`, { n: name })).data
      .deploymentByName;

  it("answers with the version a new deployment would get, and creates nothing", async () => {
    const input = { flowName: "dry", name: "new", entrypoint: "f.py:main", pullSteps, sourceInfo: { commitSha: SHA, branch: "main" } };
    const live = await subscribe(server.url, { flowName: "dry" });
    try {
      const dry = await server.gql(DRY, { input: { ...input, dryRun: true } });
      expect(dry.errors).toBeUndefined();
      const payload = dry.data.createVersion;
      expect(payload).toMatchObject({
        dryRun: true,
        change: null,
        deployment: { id: "dep_0", flowName: "dry", name: "new", versionCount: 1, paused: false, liveVersion: { id: "ver_0", number: 1 } },
        version: {
          id: "ver_0",
          number: 1,
          version: SHA.slice(0, 8),
          isLive: true,
          createdBy: "bootstrap-admin",
          codePin: { pinned: true, commitSha: SHA },
          deployment: { id: "dep_0" },
        },
      });
      expect(await byName("new")).toBeNull();
      // The real call gets what the dry run predicted, and its event is the first one sent.
      const real = await createVersion(server, input);
      expect([real.version.number, real.version.version, real.version.contentHash]).toEqual([1, payload.version.version, payload.version.contentHash]);
      const [event] = await live.waitFor(1);
      expect(event.sequence).toBe(real.change.sequence);
      expect(live.events).toHaveLength(1);
    } finally {
      await live.close();
    }
  });

  it("predicts the next number of an existing deployment and leaves it as it was", async () => {
    const first = await createVersion(server, { flowName: "dry", name: "existing", entrypoint: "f.py:v1" });
    const id = first.deployment.id;
    const dry = await server.gql(DRY, { input: { deploymentId: id, entrypoint: "f.py:v2", settings: { paused: true }, dryRun: true } });
    expect(dry.errors).toBeUndefined();
    expect(dry.data.createVersion).toMatchObject({
      dryRun: true,
      change: null,
      deployment: { id, versionCount: 2, paused: true, liveVersion: { id: "ver_0", number: 2 } },
      version: { id: "ver_0", number: 2, version: "v2", deployment: { id } },
    });
    const now = (await server.gql(`query($id: ID!) { deployment(id: $id) { versionCount paused liveVersion { id } liveHistory { totalCount } } }`, { id })).data
      .deployment;
    expect(now).toEqual({ versionCount: 1, paused: false, liveVersion: { id: first.version.id }, liveHistory: { totalCount: 1 } });
    const real = await server.gql(CREATE_VERSION, { input: { deploymentId: id, entrypoint: "f.py:v2", dryRun: false } });
    expect(real.data.createVersion.version.number).toBe(2);
  });

  it("runs every check a real call runs", async () => {
    const first = await createVersion(server, { flowName: "dry", name: "checks", entrypoint: "f.py:v1" });
    const id = first.deployment.id;
    await createVersion(server, { deploymentId: id, entrypoint: "f.py:v2" });
    const dry = (input: Record<string, unknown>, headers?: Record<string, string>) =>
      server.gql(DRY, { input: { entrypoint: "f.py:x", ...input, dryRun: true } }, headers);
    expect(codes(await dry({ deploymentId: id, entrypoint: " " }))).toEqual(["BAD_USER_INPUT"]);
    expect(
      codes(await dry({ deploymentId: id, pullSteps: [{ "prefect.deployments.steps.git_clone": { repository: "r", access_token: "hunter2" } }] })),
    ).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await dry({ deploymentId: id, description: "{{ $HOME }}" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await dry({ deploymentId: "dep_999999" }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect(codes(await dry({ deploymentId: id, expectedLiveVersionId: first.version.id }))).toEqual(["LIVE_VERSION_CONFLICT"]);
    const reader = (await server.gql(`mutation { createApiKey(input: { name: "dry-reader-${store}", scopes: [READ] }) { key } }`)).data.createApiKey
      .key as string;
    expect(codes(await dry({ deploymentId: id }, { authorization: `Bearer ${reader}` }))).toEqual(["FORBIDDEN"]);
    const other = (await server.gql(`mutation { createWorkspace(input: { name: "dry-other-${store}" }) { key } }`)).data.createWorkspace.key as string;
    expect(codes(await dry({ deploymentId: id }, { authorization: `Bearer ${other}` }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect((await byName("checks")).versionCount).toBe(2);
  });

  it("follows the idempotency key without recording it", async () => {
    const input = { flowName: "dry", name: "keyed", entrypoint: "f.py:v1", idempotencyKey: "dry-key-1" };
    const dry = await server.gql(DRY, { input: { ...input, dryRun: true } });
    expect(dry.data.createVersion.version.id).toBe("ver_0");
    // The dry run recorded nothing under the key: the real call creates the version.
    const real = await createVersion(server, input);
    expect(real.version.number).toBe(1);
    // Now the key is taken: a dry run of the same input answers with what the key created…
    const again = await server.gql(DRY, { input: { ...input, dryRun: true } });
    expect(again.data.createVersion).toMatchObject({ dryRun: true, change: null, version: { id: real.version.id, number: 1 } });
    // …and of other input is refused.
    expect(codes(await server.gql(DRY, { input: { ...input, entrypoint: "f.py:other", dryRun: true } }))).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    expect(await byName("keyed")).toEqual({ versionCount: 1, liveHistory: { totalCount: 1 } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { ROLLBACK, createVersion, deploymentWithVersions } from "../support/operations";

// flagVersion BAD: default rollbacks skip the version, moving to it needs force: true, and a
// create of the same content warns, naming it; every flag is recorded with actor and reason.

const FLAG = `mutation($input: FlagVersionInput!) { flagVersion(input: $input) { version { number flag { status by reason } } flag { status by at reason } } }`;
const CREATE = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { warnings version { number } } }`;

describe.each(STORES)("flagged versions on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  it("skips a BAD version in the default rollback, and needs force to move to it", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "flag-skip");
    const flagged = await server.gql(FLAG, { input: { versionId: ids[2], status: "BAD", reason: "corrupts data" } });
    expect(flagged.errors).toBeUndefined();
    expect(flagged.data.flagVersion).toMatchObject({
      version: { number: 2, flag: { status: "BAD", by: "bootstrap-admin", reason: "corrupts data" } },
      flag: { status: "BAD" },
    });
    const rolled = await server.gql(ROLLBACK, { input: { deploymentId } });
    expect(rolled.errors).toBeUndefined();
    expect(rolled.data.rollback.change.liveVersion.number).toBe(1);
    const promote = `mutation($input: PromoteInput!) { promote(input: $input) { change { liveVersion { number } } } }`;
    expect(codes(await server.gql(promote, { input: { deploymentId, number: 2 } }))).toEqual(["VERSION_FLAGGED_BAD"]);
    expect((await server.gql(promote, { input: { deploymentId, number: 2, force: true } })).data.promote.change.liveVersion.number).toBe(2);
    await server.gql(FLAG, { input: { versionId: ids[1], status: "BAD" } });
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId } }))).toEqual(["VERSION_NOT_FOUND"]);
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId, number: 1, dryRun: true } }))).toEqual(["VERSION_FLAGGED_BAD"]);
  });

  it("lifts the flag with OK, and warns when a create repeats a BAD version's content", async () => {
    const first = await createVersion(server, { flowName: "flag", name: "warn", parameters: { x: 1 } });
    await createVersion(server, { flowName: "flag", name: "warn", parameters: { x: 2 } });
    await server.gql(FLAG, { input: { versionId: first.version.id, status: "BAD", reason: "oops" } });
    const again = await server.gql(CREATE, {
      input: { deploymentId: first.deployment.id, entrypoint: "flows/etl.py:main", parameters: { x: 1 }, version: "retry" },
    });
    expect(again.data.createVersion.warnings).toEqual(['This content equals version 1 ("v1"), which is flagged BAD']);
    const lifted = await server.gql(FLAG, { input: { versionId: first.version.id, status: "OK", reason: "false alarm" } });
    expect(lifted.data.flagVersion.flag).toMatchObject({ status: "OK", reason: "false alarm" });
    const after = await server.gql(CREATE, { input: { deploymentId: first.deployment.id, entrypoint: "flows/etl.py:main", parameters: { x: 1 } } });
    expect(after.data.createVersion.warnings).toEqual([]);
  });

  it("needs the release scope and the caller's workspace", async () => {
    const { ids } = await deploymentWithVersions(server, 1, "flag-scope");
    const made = await server.gql(`mutation { createApiKey(input: { name: "flag-deployer", scopes: [DEPLOY] }) { key } }`);
    expect(codes(await server.gql(FLAG, { input: { versionId: ids[1], status: "BAD" } }, { authorization: `Bearer ${made.data.createApiKey.key}` }))).toEqual([
      "FORBIDDEN",
    ]);
    const other = (await server.gql(`mutation { createWorkspace(input: { name: "flag-other-${store}" }) { key } }`)).data.createWorkspace.key as string;
    expect(codes(await server.gql(FLAG, { input: { versionId: ids[1], status: "BAD" } }, { authorization: `Bearer ${other}` }))).toEqual(["VERSION_NOT_FOUND"]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORES, TEST_ADMIN_NAME, codes, startServer, type TestServer } from "../support/server";
import { CREATE_VERSION, DEPLOYMENT, PROMOTE, ROLLBACK, UPDATE_SETTINGS, createVersion, deploymentWithVersions } from "../support/operations";
import { registered, subscribe } from "../support/subscriptions";

const ARCHIVE = `mutation($input: DeploymentLifecycleInput!) { archiveDeployment(input: $input) { deployment { id archivedAt } } }`;
const RESTORE = `mutation($input: DeploymentLifecycleInput!) { restoreDeployment(input: $input) { deployment { id archivedAt } } }`;
const DELETE = `mutation($input: DeleteDeploymentInput!) { deleteDeployment(input: $input) { deletedDeploymentId flowName name } }`;
const LIST = `query($filter: DeploymentFilter) { deployments(filter: $filter, first: 100) { edges { node { name } } } }`;
const EVENTS = `subscription($deploymentId: ID) { liveVersionChanged(deploymentId: $deploymentId) { kind deployment { name } } }`;

describe.each(STORES)("archive, restore and delete on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const names = async (filter: Record<string, unknown>) =>
    (await server.gql(LIST, { filter })).data.deployments.edges.map((e: { node: { name: string } }) => e.node.name);

  it("archives: hidden from lists, refusing versions and moves, every version still readable; restore undoes it", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 2, "archived", "lifecycle");
    const archived = await server.gql(ARCHIVE, { input: { deploymentId, reason: "retired" } });
    expect(archived.data.archiveDeployment.deployment.archivedAt).toBeTruthy();
    expect(await names({ flowName: "lifecycle" })).toEqual([]);
    expect(await names({ flowName: "lifecycle", includeArchived: true })).toEqual(["archived"]);
    expect((await server.gql(DEPLOYMENT, { id: deploymentId })).data.deployment.liveVersion.number).toBe(2);
    expect((await server.gql(`query($id: ID!) { deploymentVersion(id: $id) { number } }`, { id: ids[1] })).data.deploymentVersion.number).toBe(1);
    for (const [mutation, input] of [
      [CREATE_VERSION, { flowName: "lifecycle", name: "archived", entrypoint: "a.py:f" }],
      [CREATE_VERSION, { deploymentId, entrypoint: "a.py:f", dryRun: true }],
      [ROLLBACK, { deploymentId }],
      [PROMOTE, { deploymentId, number: 2 }],
    ] as const) {
      const refused = await server.gql(mutation, { input });
      expect(codes(refused), JSON.stringify(input)).toEqual(["DEPLOYMENT_ARCHIVED"]);
    }
    // Archiving twice records one entry.
    await server.gql(ARCHIVE, { input: { deploymentId } });
    expect((await server.gql(RESTORE, { input: { deploymentId } })).data.restoreDeployment.deployment.archivedAt).toBeNull();
    expect((await server.gql(ROLLBACK, { input: { deploymentId } })).errors).toBeUndefined();
    const log = await server.gql(
      `query($id: ID!) { auditLog(filter: { deploymentId: $id, kinds: [DEPLOYMENT_ARCHIVED, DEPLOYMENT_RESTORED] }) { edges { node { kind actor details } } } }`,
      { id: deploymentId },
    );
    expect(log.data.auditLog.edges.map((e: any) => [e.node.kind, e.node.actor, e.node.details.reason])).toEqual([
      ["DEPLOYMENT_RESTORED", TEST_ADMIN_NAME, null],
      ["DEPLOYMENT_ARCHIVED", TEST_ADMIN_NAME, "retired"],
    ]);
  });

  it("deletes for good once confirmName is flow/name; the name starts again at version 1", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "doomed", "lifecycle");
    expect(codes(await server.gql(DELETE, { input: { deploymentId, confirmName: "doomed" } }))).toEqual(["BAD_USER_INPUT"]);
    expect((await server.gql(DEPLOYMENT, { id: deploymentId })).data.deployment).not.toBeNull();
    const deleted = await server.gql(DELETE, { input: { deploymentId, confirmName: "lifecycle/doomed", reason: "typo" } });
    expect(deleted.data.deleteDeployment).toEqual({ deletedDeploymentId: deploymentId, flowName: "lifecycle", name: "doomed" });
    expect((await server.gql(DEPLOYMENT, { id: deploymentId })).data.deployment).toBeNull();
    expect((await server.gql(`query { deploymentByName(flowName: "lifecycle", name: "doomed") { id } }`)).data.deploymentByName).toBeNull();
    expect((await server.gql(`query($id: ID!) { deploymentVersion(id: $id) { id } }`, { id: ids[1] })).data.deploymentVersion).toBeNull();
    expect(await names({ flowName: "lifecycle", includeArchived: true })).not.toContain("doomed");
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId } }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect(codes(await server.gql(UPDATE_SETTINGS, { input: { deploymentId, paused: true } }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    const again = await createVersion(server, { flowName: "lifecycle", name: "doomed" });
    expect(again.version.number).toBe(1);
    expect(again.deployment.id).not.toBe(deploymentId);
    const log = await server.gql(`query($id: ID!) { auditLog(filter: { deploymentId: $id }) { edges { node { kind deploymentName deployment { id } } } } }`, {
      id: deploymentId,
    });
    expect(log.data.auditLog.edges[0].node).toEqual({ kind: "DEPLOYMENT_DELETED", deploymentName: "doomed", deployment: null });
    expect(log.data.auditLog.edges).toHaveLength(4);
    // Its versions' bodies are gone from the store, not only hidden.
    const [body] = await server.app.db.reads.rows<{ entrypoint: string; pruned_at: unknown }>(
      "SELECT entrypoint, pruned_at FROM deployment_version WHERE id = ?",
      [Number(ids[1]!.slice(4))],
    );
    expect(body!.entrypoint).toBe("");
    expect(body!.pruned_at).not.toBeNull();
  });

  it("does not replay a deleted deployment's idempotency keys into the new one", async () => {
    const first = await createVersion(server, { flowName: "lifecycle", name: "keyed", idempotencyKey: "release-1" });
    await server.gql(DELETE, { input: { deploymentId: first.deployment.id, confirmName: "lifecycle/keyed" } });
    const second = await createVersion(server, { flowName: "lifecycle", name: "keyed", idempotencyKey: "release-1" });
    expect(second.deployment.id).not.toBe(first.deployment.id);
    expect(second.version.number).toBe(1);
  });

  it("tells subscribers ARCHIVED, RESTORED and DELETED", async () => {
    const { deployment } = await createVersion(server, { flowName: "lifecycle", name: "watched" });
    const sub = await subscribe(server.url, { deploymentId: deployment.id }, EVENTS);
    await registered(server, 1);
    await server.gql(ARCHIVE, { input: { deploymentId: deployment.id } });
    await server.gql(RESTORE, { input: { deploymentId: deployment.id } });
    await server.gql(DELETE, { input: { deploymentId: deployment.id, confirmName: "lifecycle/watched" } });
    expect(await sub.waitFor(3)).toEqual([
      { kind: "ARCHIVED", deployment: { name: "watched" } },
      { kind: "RESTORED", deployment: { name: "watched" } },
      { kind: "DELETED", deployment: { name: "watched" } },
    ]);
    await sub.close();
  });

  it("needs admin, and keeps workspaces apart", async () => {
    const { deployment } = await createVersion(server, { flowName: "lifecycle", name: "guarded" });
    const key = (await server.gql(`mutation { createApiKey(input: { name: "deployer", scopes: [DEPLOY, RELEASE] }) { key } }`)).data.createApiKey.key;
    const other = (await server.gql(`mutation { createWorkspace(input: { name: "lifecycle-other" }) { key } }`)).data.createWorkspace.key;
    const as = (k: string) => ({ authorization: `Bearer ${k}` });
    const input = { deploymentId: deployment.id, confirmName: "lifecycle/guarded" };
    for (const [mutation, args] of [
      [ARCHIVE, { deploymentId: deployment.id }],
      [RESTORE, { deploymentId: deployment.id }],
      [DELETE, input],
    ] as const) {
      expect(codes(await server.gql(mutation, { input: args }, as(key)))).toEqual(["FORBIDDEN"]);
      expect(codes(await server.gql(mutation, { input: args }, as(other)))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    }
    expect((await server.gql(`query($id: ID!) { deployment(id: $id) { archivedAt } }`, { id: deployment.id })).data.deployment.archivedAt).toBeNull();
  });
});

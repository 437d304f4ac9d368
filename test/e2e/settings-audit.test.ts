import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORES, TEST_ADMIN_NAME, startServer, type TestServer } from "../support/server";
import { UPDATE_SETTINGS, createVersion } from "../support/operations";
import { registered, subscribe } from "../support/subscriptions";

const SETTINGS_LOG = `query($id: ID!) { auditLog(filter: { deploymentId: $id, kinds: [SETTINGS_CHANGED] }) {
  edges { node { kind actor deploymentId flowName deploymentName settingsChanges { field before after } } } } }`;
const SUBSCRIPTION = `subscription($deploymentId: ID) { liveVersionChanged(deploymentId: $deploymentId) {
  sequence kind actor settingsChanges { field before after } liveVersion { number } } }`;

describe.each(STORES)("settings changes are audited and pushed on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const settingsLog = async (id: string) => (await server.gql(SETTINGS_LOG, { id })).data.auditLog.edges.map((e: { node: unknown }) => e.node);

  it("records each changed field with its before and after, and nothing for an unchanged value", async () => {
    const { deployment } = await createVersion(server, { flowName: "etl", name: "settings", settings: { paused: false, concurrencyLimit: 2 } });
    const first = await server.gql(UPDATE_SETTINGS, { input: { deploymentId: deployment.id, paused: true, concurrencyLimit: 2, schedules: [] } });
    expect(first.errors).toBeUndefined();
    expect(await settingsLog(deployment.id)).toEqual([
      {
        kind: "SETTINGS_CHANGED",
        actor: TEST_ADMIN_NAME,
        deploymentId: deployment.id,
        flowName: "etl",
        deploymentName: "settings",
        settingsChanges: [{ field: "paused", before: false, after: true }],
      },
    ]);
    // Same values again, and JSON equal up to key order: no entry.
    await server.gql(UPDATE_SETTINGS, { input: { deploymentId: deployment.id, paused: true, concurrencyLimit: 2 } });
    expect(await settingsLog(deployment.id)).toHaveLength(1);
  });

  it("records the settings a createVersion changes, but not those a new deployment starts with", async () => {
    const { deployment } = await createVersion(server, { flowName: "etl", name: "by-create", settings: { concurrencyOptions: { a: 1, b: 2 } } });
    expect(await settingsLog(deployment.id)).toEqual([]);
    await createVersion(server, { flowName: "etl", name: "by-create", settings: { concurrencyOptions: { b: 2, a: 1 } } });
    expect(await settingsLog(deployment.id)).toEqual([]);
    await createVersion(server, { flowName: "etl", name: "by-create", settings: { concurrencyOptions: null, concurrencyLimit: 5 } });
    const [entry] = await settingsLog(deployment.id);
    expect(entry.settingsChanges).toEqual([
      { field: "concurrencyLimit", before: null, after: 5 },
      { field: "concurrencyOptions", before: { a: 1, b: 2 }, after: null },
    ]);
  });

  it("pushes a SETTINGS event to the deployment's subscribers, in order with the moves", async () => {
    const { deployment } = await createVersion(server, { flowName: "etl", name: "pushed" });
    const sub = await subscribe(server.url, { deploymentId: deployment.id }, SUBSCRIPTION);
    await registered(server, 1);
    await server.gql(UPDATE_SETTINGS, { input: { deploymentId: deployment.id, paused: true } });
    await server.gql(UPDATE_SETTINGS, { input: { deploymentId: deployment.id, paused: true } });
    await createVersion(server, { flowName: "etl", name: "pushed", settings: { paused: false } });
    const events = await sub.waitFor(3);
    expect(events.map((e) => [e.kind, e.liveVersion.number, e.settingsChanges])).toEqual([
      ["SETTINGS", 1, [{ field: "paused", before: false, after: true }]],
      ["SETTINGS", 1, [{ field: "paused", before: true, after: false }]],
      ["CREATE", 2, []],
    ]);
    expect(events[1].sequence).toBe(events[0].sequence + 1);
    expect(await sub.settle()).toHaveLength(3);
    await sub.close();
  });

  it("keeps settings entries out of the live history", async () => {
    const { deployment } = await createVersion(server, { flowName: "etl", name: "history" });
    await server.gql(UPDATE_SETTINGS, { input: { deploymentId: deployment.id, paused: true } });
    const history = await server.gql(`query($id: ID!) { deployment(id: $id) { liveHistory { edges { node { kind } } } } }`, { id: deployment.id });
    expect(history.data.deployment.liveHistory.edges).toEqual([{ node: { kind: "CREATE" } }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { PROMOTE, createVersion } from "../support/operations";
import { subscribe } from "../support/subscriptions";

// makeLive: NEVER records a version without moving the live pointer: no live-log entry, no
// sequence taken, a VERSION_CREATED event for connected subscribers; promote makes it live later.

const STAGE = `mutation($input: CreateVersionInput!) {
  createVersion(input: $input) { becameLive notLiveReason dryRun change { id } version { id number isLive } deployment { versionCount liveVersion { number } } }
}`;
const STATE = `query($id: ID!) { deployment(id: $id) { versionCount liveVersion { number } liveHistory { totalCount edges { node { kind sequence } } } } }`;
const EVENTS = `subscription($deploymentId: ID, $afterSequence: Int) {
  liveVersionChanged(deploymentId: $deploymentId, afterSequence: $afterSequence) { id kind sequence liveVersion { number } createdVersion { number } diff { changes { path } } }
}`;

describe.each(STORES)("staged versions on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());
  const state = async (id: string) => (await server.gql(STATE, { id })).data.deployment;

  it("records without going live, sends VERSION_CREATED without a sequence, and a later promote is exactly one PROMOTE", async () => {
    const first = await createVersion(server, { flowName: "stage", name: "one" });
    const deploymentId = first.deployment.id;
    const events = await subscribe(server.url, { deploymentId }, EVENTS);
    try {
      const staged = await server.gql(STAGE, { input: { deploymentId, entrypoint: "flows/etl.py:next", makeLive: "NEVER" } });
      expect(staged.errors).toBeUndefined();
      expect(staged.data.createVersion).toEqual({
        becameLive: false,
        notLiveReason: "NOT_REQUESTED",
        dryRun: false,
        change: null,
        version: { id: expect.any(String), number: 2, isLive: false },
        deployment: { versionCount: 2, liveVersion: { number: 1 } },
      });
      expect(await state(deploymentId)).toMatchObject({ versionCount: 2, liveVersion: { number: 1 }, liveHistory: { totalCount: 1 } });
      const promoted = await server.gql(PROMOTE, { input: { deploymentId } });
      expect(promoted.errors).toBeUndefined();
      const got = await events.waitFor(2);
      expect(got).toEqual([
        {
          id: staged.data.createVersion.version.id,
          kind: "VERSION_CREATED",
          sequence: first.change.sequence,
          liveVersion: { number: 1 },
          createdVersion: { number: 2 },
          diff: { changes: [{ path: "/entrypoint" }] },
        },
        {
          id: promoted.data.promote.change.id,
          kind: "PROMOTE",
          sequence: first.change.sequence + 1,
          liveVersion: { number: 2 },
          createdVersion: null,
          diff: { changes: [{ path: "/entrypoint" }] },
        },
      ]);
      const after = await state(deploymentId);
      expect(after.liveHistory.edges.map((e: { node: { kind: string } }) => e.node.kind)).toEqual(["PROMOTE", "CREATE"]);
    } finally {
      await events.close();
    }
    // A resume replays the log only: the staged version is in `versions`, not in the live log.
    const resumed = await subscribe(server.url, { deploymentId, afterSequence: first.change.sequence - 1 }, EVENTS);
    try {
      expect((await resumed.waitFor(2)).map((e) => e.kind)).toEqual(["CREATE", "PROMOTE"]);
    } finally {
      await resumed.close();
    }
  });

  it("answers a retry of a staged create with the same outcome, creating once", async () => {
    const first = await createVersion(server, { flowName: "stage", name: "retry" });
    const input = { deploymentId: first.deployment.id, entrypoint: "flows/etl.py:b", makeLive: "NEVER", idempotencyKey: "stage-1" };
    const results = await Promise.all([1, 2, 3].map(() => server.gql(STAGE, { input })));
    for (const r of results) expect(r.data.createVersion).toMatchObject({ becameLive: false, notLiveReason: "NOT_REQUESTED", version: { number: 2 } });
    expect(new Set(results.map((r) => r.data.createVersion.version.id)).size).toBe(1);
    expect(await state(first.deployment.id)).toMatchObject({ versionCount: 2, liveVersion: { number: 1 } });
  });

  it("dry-runs a staged create, and refuses to stage a deployment's first version", async () => {
    const first = await createVersion(server, { flowName: "stage", name: "dry" });
    const dry = await server.gql(STAGE, { input: { deploymentId: first.deployment.id, entrypoint: "x.py:y", makeLive: "NEVER", dryRun: true } });
    expect(dry.data.createVersion).toMatchObject({
      dryRun: true,
      becameLive: false,
      notLiveReason: "NOT_REQUESTED",
      deployment: { liveVersion: { number: 1 } },
    });
    const fresh = await server.gql(STAGE, { input: { flowName: "stage", name: "new", entrypoint: "x.py:y", makeLive: "NEVER" } });
    expect(codes(fresh)).toEqual(["BAD_USER_INPUT"]);
    expect((await server.gql(`{ deploymentByName(flowName: "stage", name: "new") { id } }`)).data.deploymentByName).toBeNull();
  });
});

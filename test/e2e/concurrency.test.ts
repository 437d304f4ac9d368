import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, STORES, type GraphQLResult, type TestServer } from "../support/server";
import { CREATE_VERSION, DEPLOYMENT, PROMOTE, ROLLBACK, createVersion } from "../support/operations";
import { allChanges, allVersions } from "../support/history";

const CLIENTS = 20;
const DURATION_MS = 3_000;
const MAX_OPS_PER_CLIENT = 400;
/** Refusals a racing client may legitimately get; anything else (INTERNAL_SERVER_ERROR above all) fails the test. */
const EXPECTED = new Set(["ALREADY_LIVE", "NOT_OLDER_THAN_LIVE", "NOT_NEWER_THAN_LIVE", "VERSION_NOT_FOUND", "LIVE_VERSION_CONFLICT"]);

// docs/design.md, "Invariants", under load: one live version, gapless numbers and sequences, a log that agrees.
describe.each(STORES)("concurrent writers on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  it("keeps every invariant while 20 clients create, roll back and promote at once", async () => {
    const { deployment } = await createVersion(server, { flowName: "race", name: "storm" });
    const deploymentId = deployment.id;
    let live = deployment.liveVersion.id;
    const acknowledged: Array<{ id: string; kind: string; liveVersionId: string }> = [];
    const unexpected: unknown[] = [];
    const deadline = Date.now() + DURATION_MS;

    const record = (result: GraphQLResult<any>, field: string) => {
      if (result.errors) {
        for (const error of result.errors) if (!EXPECTED.has(String(error.extensions?.code))) unexpected.push(error);
        return;
      }
      const change = result.data![field].change;
      if (field === "createVersion" && acknowledged.some((a) => a.id === change.id)) return; // a replayed retry
      acknowledged.push({ id: change.id, kind: change.kind, liveVersionId: change.liveVersion.id });
      live = change.liveVersion.id;
    };

    const client = async (n: number) => {
      for (let op = 0; op < MAX_OPS_PER_CLIENT && Date.now() < deadline; op++) {
        const roll = (n * 7919 + op * 104729) % 10;
        const expected = roll % 3 === 0 ? { expectedLiveVersionId: live } : {};
        if (roll < 4) {
          const input = { deploymentId, entrypoint: `flows/race.py:c${n}o${op}`, ...expected, ...(roll === 1 ? { idempotencyKey: `c${n}-o${op}` } : {}) };
          record(await server.gql(CREATE_VERSION, { input }), "createVersion");
          // A client retrying the same keyed request must not create a second version.
          if (roll === 1) record(await server.gql(CREATE_VERSION, { input }), "createVersion");
        } else if (roll < 7) {
          record(await server.gql(ROLLBACK, { input: { deploymentId, ...expected, ...(roll === 5 ? { number: 1 + (op % 5) } : {}) } }), "rollback");
        } else {
          record(await server.gql(PROMOTE, { input: { deploymentId, ...expected } }), "promote");
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));

    expect(unexpected).toEqual([]);
    const versions = await allVersions(server, deploymentId);
    const changes = await allChanges(server, deploymentId);
    const current = (await server.gql(DEPLOYMENT, { id: deploymentId })).data.deployment;

    // Numbers 1..N, gapless, and exactly one live version: the deployment's.
    expect(versions.map((v) => v.number)).toEqual(Array.from({ length: versions.length }, (_, i) => versions.length - i));
    expect(versions.filter((v) => v.isLive).map((v) => v.id)).toEqual([current.liveVersion.id]);
    expect(current.versionCount).toBe(versions.length);
    // The newest change names the live version; sequences are gapless (one deployment in this workspace).
    expect(changes[0]!.liveVersion.id).toBe(current.liveVersion.id);
    expect(changes.map((c) => c.sequence)).toEqual(Array.from({ length: changes.length }, (_, i) => changes.length - i));
    // The log is one unbroken chain: each move starts where the previous one left the pointer.
    for (let i = 0; i < changes.length - 1; i++) expect(changes[i]!.previousVersion?.id).toBe(changes[i + 1]!.liveVersion.id);
    // One CREATE per version, and every acknowledged mutation is in the log exactly as answered.
    expect(changes.filter((c) => c.kind === "CREATE")).toHaveLength(versions.length);
    const logged = new Map(changes.map((c) => [c.id, c]));
    for (const ack of acknowledged) expect(logged.get(ack.id)).toMatchObject({ kind: ack.kind, liveVersion: { id: ack.liveVersionId } });
    // Enough really happened for the test to mean something.
    expect(new Set(acknowledged.map((a) => a.kind))).toEqual(new Set(["CREATE", "ROLLBACK", "PROMOTE"]));
    expect(changes.length).toBeGreaterThan(CLIENTS * 2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeId } from "../../src/ids";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { CHANGE_FIELDS, PROMOTE, ROLLBACK, createVersion, deploymentWithVersions } from "../support/operations";
import { subscribe } from "../support/subscriptions";

// A pinned live version stays live: creates record versions without moving it (PINNED), moves
// need unpin: true (else DEPLOYMENT_PINNED); PIN and UNPIN are entries of the live history.

const PIN = `mutation($input: PinLiveInput!) { pinLive(input: $input) { deployment { pin { by at reason } liveVersion { number } } change { ${CHANGE_FIELDS} } } }`;
const UNPIN = `mutation($input: UnpinLiveInput!) { unpinLive(input: $input) { deployment { pin { by } } change { ${CHANGE_FIELDS} } } }`;
const CREATE = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { becameLive notLiveReason change { id } version { number } } }`;
const STATE = `query($id: ID!) { deployment(id: $id) { pin { by reason } liveVersion { number } liveHistory { edges { node { kind } } } } }`;

describe.each(STORES)("pinned live versions on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());
  const state = async (id: string) => (await server.gql(STATE, { id })).data.deployment;
  const sql = (text: string, params: unknown[]) => server.app.db.dataSource.query(text, params) as Promise<Array<Record<string, unknown>>>;

  it("pins with an entry, keeps live through creates and moves, and unpins with an entry", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 2, "pin-basic");
    const events = await subscribe(server.url, { deploymentId });
    try {
      const rolled = await server.gql(ROLLBACK, { input: { deploymentId, pin: true, reason: "bad release" } });
      expect(rolled.errors).toBeUndefined();
      expect(await state(deploymentId)).toMatchObject({ pin: { by: "bootstrap-admin", reason: "bad release" }, liveVersion: { number: 1 } });
      const created = await server.gql(CREATE, { input: { deploymentId, entrypoint: "flows/etl.py:v3" } });
      expect(created.data.createVersion).toEqual({ becameLive: false, notLiveReason: "PINNED", change: null, version: { number: 3 } });
      expect(codes(await server.gql(PROMOTE, { input: { deploymentId } }))).toEqual(["DEPLOYMENT_PINNED"]);
      expect(codes(await server.gql(ROLLBACK, { input: { deploymentId, number: 1 } }))).toEqual(["DEPLOYMENT_PINNED"]);
      const again = await server.gql(PIN, { input: { deploymentId, reason: "again" } });
      expect(again.data.pinLive).toMatchObject({ change: null, deployment: { pin: { reason: "bad release" } } });
      const unpinned = await server.gql(UNPIN, { input: { deploymentId, reason: "fixed" } });
      expect(unpinned.data.unpinLive).toMatchObject({
        deployment: { pin: null },
        change: { kind: "UNPIN", reason: "fixed", liveVersion: { number: 1 }, previousVersion: { number: 1 } },
      });
      const pinned = await server.gql(PIN, { input: { deploymentId, reason: "freeze" } });
      expect(pinned.data.pinLive.change).toMatchObject({ kind: "PIN", reason: "freeze" });
      const moved = await server.gql(PROMOTE, { input: { deploymentId, unpin: true } });
      expect(moved.data.promote.change.liveVersion.number).toBe(3);
      expect(await state(deploymentId)).toMatchObject({ pin: null, liveVersion: { number: 3 } });
      expect((await state(deploymentId)).liveHistory.edges.map((e: { node: { kind: string } }) => e.node.kind)).toEqual([
        "PROMOTE",
        "PIN",
        "UNPIN",
        "ROLLBACK",
        "CREATE",
        "CREATE",
      ]);
      expect((await events.waitFor(5)).map((e) => e.kind)).toEqual(["ROLLBACK", "VERSION_CREATED", "UNPIN", "PIN", "PROMOTE"]);
    } finally {
      await events.close();
    }
  });

  it("never moves live while pinned, even under a storm of concurrent deploys (checked in the database)", async () => {
    const first = await createVersion(server, { flowName: "pin", name: "storm" });
    const deploymentId = first.deployment.id;
    await server.gql(PIN, { input: { deploymentId, reason: "storm" } });
    const key = decodeId("deployment", deploymentId)!;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        server.gql(CREATE, {
          input:
            i % 4 === 0
              ? { deploymentId, entrypoint: `flows/etl.py:k${i % 8}`, idempotencyKey: `storm-${i % 8}` }
              : { deploymentId, entrypoint: `flows/etl.py:s${i}` },
        }),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    for (const r of results) expect(r.data.createVersion).toMatchObject({ becameLive: false, notLiveReason: "PINNED", change: null });
    const [row] = await sql("SELECT live_version_id, last_number, pinned_at FROM deployment WHERE id = ?", [key]);
    expect(Number(row!.live_version_id)).toBe(decodeId("version", first.version.id));
    expect(row!.pinned_at).not.toBeNull();
    const numbers = (await sql("SELECT number FROM deployment_version WHERE deployment_id = ? ORDER BY number", [key])).map((r) => Number(r.number));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    expect(Number(row!.last_number)).toBe(numbers.length);
    expect(numbers.length).toBe(1 + 30 + 2); // 30 unkeyed creates, 10 keyed ones sharing 2 keys
    const kinds = (await sql("SELECT kind FROM live_version_change WHERE deployment_id = ? ORDER BY sequence", [key])).map((r) => r.kind);
    expect(kinds).toEqual(["CREATE", "PIN"]);
  });

  it("needs the release scope and the caller's workspace", async () => {
    const { deploymentId } = await deploymentWithVersions(server, 1, "pin-scope");
    const made = await server.gql(`mutation { createApiKey(input: { name: "pin-deployer", scopes: [DEPLOY] }) { key } }`);
    const deployer = { authorization: `Bearer ${made.data.createApiKey.key}` };
    expect(codes(await server.gql(PIN, { input: { deploymentId } }, deployer))).toEqual(["FORBIDDEN"]);
    const other = (await server.gql(`mutation { createWorkspace(input: { name: "pin-other-${store}" }) { key } }`)).data.createWorkspace.key as string;
    expect(codes(await server.gql(PIN, { input: { deploymentId } }, { authorization: `Bearer ${other}` }))).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    expect((await state(deploymentId)).pin).toBeNull();
  });
});

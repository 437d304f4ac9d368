import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWaymarkClient, WaymarkClientError, type WaymarkChangeFragment, type WaymarkClient } from "../../src/client";
import { freePort, waitFor } from "../support/processes";
import { freshDatabase, TEST_ADMIN_KEY } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";

// The typed client (waymark/client) against the built server, restarted under it: its
// subscription resumes after each restart with every change made meanwhile, none twice.
describe("the typed client", () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let port: number;
  let server: ServerProcess | null = null;
  const env = () => ({ DATABASE_URL: database.url });
  const start = async (on: number) => startServerProcess({ ...env(), PORT: String(on) });
  const clientAt = (on: number): WaymarkClient =>
    createWaymarkClient({ url: `http://127.0.0.1:${on}/graphql`, apiKey: TEST_ADMIN_KEY, webSocketImpl: WebSocket });
  const input = (sha: string) => ({
    flowName: "etl",
    name: "prod",
    entrypoint: "flows/etl.py:main",
    sourceInfo: { type: "GITHUB" as const, commitSha: sha.repeat(40), branch: "main", repository: "acme/etl" },
  });

  beforeAll(async () => {
    database = await freshDatabase("sqlite");
    port = await freePort();
    server = await start(port);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("types history, createVersion, rollback and promote, and errors by code", async () => {
    const client = clientAt(port);
    const created = await client.createVersion(input("a"));
    expect(created.version).toMatchObject({ number: 1, version: "aaaaaaaa", isLive: true });
    await client.createVersion({ ...input("b"), deploymentId: created.deployment.id, flowName: null, name: null });
    const back = await client.rollback({ deploymentId: created.deployment.id, reason: "bad" });
    expect(back).toMatchObject({ kind: "ROLLBACK", previousVersion: { number: 2 }, liveVersion: { number: 1, isLive: true } });
    const forward = await client.promote({ deploymentId: created.deployment.id });
    expect(forward).toMatchObject({ kind: "PROMOTE", liveVersion: { number: 2 } });
    const history = await client.history({ flowName: "etl", name: "prod", first: 1 });
    expect(history.versions.edges.map((e) => [e.node.number, e.node.isLive])).toEqual([[2, true]]);
    const next = await client.history({ deploymentId: created.deployment.id, after: history.versions.pageInfo.endCursor! });
    expect(next.versions.edges.map((e) => e.node.number)).toEqual([1]);

    const refused = await client.promote({ deploymentId: created.deployment.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WaymarkClientError);
    expect((refused as WaymarkClientError).code).toBe("ALREADY_LIVE");
    const missing = await client.history({ deploymentId: "dep_999" }).catch((e: unknown) => e);
    expect((missing as WaymarkClientError).code).toBe("DEPLOYMENT_NOT_FOUND");
    const unreachable = await clientAt(await freePort())
      .lastLiveSequence()
      .catch((e: unknown) => e);
    expect((unreachable as WaymarkClientError).code).toBe("NETWORK_ERROR");
  });

  it("resumes its subscription across server restarts with no gap and no repeat", async () => {
    const client = clientAt(port);
    const received: WaymarkChangeFragment[] = [];
    const failures: unknown[] = [];
    const first = await client.lastLiveSequence();
    const live = await client.subscribeLive({ onChange: (change) => received.push(change), onError: (error) => failures.push(error) });
    const sequences = () => received.map((c) => c.sequence);
    const upTo = (last: number) => Array.from({ length: last - first }, (_, i) => first + 1 + i);

    const { deployment } = await client.createVersion(input("c"));
    await waitFor(
      "the first change",
      async () => sequences().length === 1 || Promise.reject(new Error(`${String(sequences())} ${failures.map(String).join("; ")}`)),
    );

    // Down, and changed by another instance on another port while this client cannot connect.
    await server!.stop();
    const otherPort = await freePort();
    const other = await start(otherPort);
    const elsewhere = clientAt(otherPort);
    await elsewhere.createVersion({ ...input("d"), deploymentId: deployment.id, flowName: null, name: null });
    await elsewhere.rollback({ deploymentId: deployment.id, reason: "while away" });
    await elsewhere.promote({ deploymentId: deployment.id });
    await other.stop();

    server = await start(port);
    await waitFor(
      "the changes made while away",
      async () => sequences().length === 4 || Promise.reject(new Error(`${String(sequences())} ${failures.map(String).join("; ")}`)),
    );
    await client.createVersion({ ...input("e"), deploymentId: deployment.id, flowName: null, name: null });
    await waitFor(
      "the change after the restart",
      async () => sequences().length === 5 || Promise.reject(new Error(`${String(sequences())} ${failures.map(String).join("; ")}`)),
    );

    // A second restart, with nothing changed meanwhile: the live stream simply goes on.
    await server.stop();
    server = await start(port);
    await client.rollback({ deploymentId: deployment.id });
    await waitFor(
      "the change after the second restart",
      async () => sequences().length === 6 || Promise.reject(new Error(`${String(sequences())} ${failures.map(String).join("; ")}`)),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(sequences()).toEqual(upTo(first + 6));
    expect(received.map((c) => c.kind)).toEqual(["CREATE", "CREATE", "ROLLBACK", "PROMOTE", "CREATE", "ROLLBACK"]);
    expect(received.filter((c) => c.reason === "while away")).toHaveLength(1);
    expect(live.lastSequence).toBe(first + 6);
    expect(failures).toEqual([]);
    live.unsubscribe();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { codes, startServer, STORES, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { TEST_ADMIN_NAME } from "../support/server";
import { CREATE_VERSION, PROMOTE, ROLLBACK, createVersion } from "../support/operations";
import { registered, subscribe, wsClient, wsUrl } from "../support/subscriptions";

// docs/design.md, "Events after commit" and "Subscriptions across instances": every committed change exactly once, in order; nothing else.
describe.each(STORES)("liveVersionChanged on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  it("delivers create, rollback and promote once each, in order, with their versions", async () => {
    const first = await createVersion(server, { flowName: "sub", name: "order" });
    const deploymentId = first.deployment.id;
    const sub = await subscribe(server.url, { deploymentId });
    await registered(server, 1);
    const second = await createVersion(server, { deploymentId });
    const back = (await server.gql(ROLLBACK, { input: { deploymentId, reason: "oops" } })).data.rollback.change;
    const forward = (await server.gql(PROMOTE, { input: { deploymentId } })).data.promote.change;
    const events = (await sub.waitFor(3)).slice();
    // A later change is delivered after every earlier one: by then any repeat would have arrived.
    const sentinel = await createVersion(server, { deploymentId });
    expect((await sub.waitFor(4)).map((e) => e.sequence)).toEqual([...events.map((e) => e.sequence), sentinel.change.sequence]);
    expect(events.map((e) => [e.kind, e.previousVersion?.number, e.liveVersion.number])).toEqual([
      ["CREATE", 1, 2],
      ["ROLLBACK", 2, 1],
      ["PROMOTE", 1, 2],
    ]);
    expect(events.map((e) => e.sequence)).toEqual([second.change.sequence, back.sequence, forward.sequence]);
    expect(events[1]).toMatchObject({ id: back.id, actor: TEST_ADMIN_NAME, reason: "oops", deployment: { id: deploymentId, flowName: "sub", name: "order" } });
    // Resolved as of each event, not from a cache of an earlier one.
    expect(events[2].deployment.liveVersion.id).toBe(second.version.id);
    await sub.close();
  });

  it("filters by deployment and by flow name, and sends everything without arguments", async () => {
    const x = await createVersion(server, { flowName: "flow-x", name: "x" });
    const y = await createVersion(server, { flowName: "flow-y", name: "y" });
    const onlyX = await subscribe(server.url, { deploymentId: x.deployment.id });
    const onlyFlowY = await subscribe(server.url, { flowName: "flow-y" });
    const both = await subscribe(server.url, { deploymentId: x.deployment.id, flowName: "flow-y" });
    const all = await subscribe(server.url);
    const laterFlow = await subscribe(server.url, { flowName: "flow-not-yet" });
    await registered(server, 5);
    await createVersion(server, { deploymentId: y.deployment.id });
    await createVersion(server, { deploymentId: x.deployment.id });
    const later = await createVersion(server, { flowName: "flow-not-yet", name: "z" });
    await all.waitFor(3);
    expect((await onlyX.waitFor(1)).map((e) => e.deployment.id)).toEqual([x.deployment.id]);
    expect((await onlyFlowY.waitFor(1)).map((e) => e.deployment.id)).toEqual([y.deployment.id]);
    expect((await laterFlow.waitFor(1)).map((e) => e.deployment.id)).toEqual([later.deployment.id]);
    // Later changes that each subscription matches are delivered after every earlier one: by then
    // anything else it should not have had would have arrived.
    const lastX = await createVersion(server, { deploymentId: x.deployment.id });
    const lastY = await createVersion(server, { deploymentId: y.deployment.id });
    expect((await all.waitFor(5)).map((e) => e.sequence)).toEqual([
      ...all.events.slice(0, 3).map((e) => e.sequence),
      lastX.change.sequence,
      lastY.change.sequence,
    ]);
    expect(all.events.slice(0, 3).map((e) => e.deployment.id)).toEqual([y.deployment.id, x.deployment.id, later.deployment.id]);
    expect((await onlyX.waitFor(2)).map((e) => e.deployment.id)).toEqual([x.deployment.id, x.deployment.id]);
    expect((await onlyFlowY.waitFor(2)).map((e) => e.deployment.id)).toEqual([y.deployment.id, y.deployment.id]);
    // Nothing can match both filters, so no event can serve as a barrier here: a short quiet window.
    expect(await both.settle(100)).toHaveLength(0);
    await Promise.all([onlyX, onlyFlowY, both, all, laterFlow].map((s) => s.close()));
  });

  it("resumes after a disconnect with exactly the missed changes, then streams, with no repeat", async () => {
    const { deployment } = await createVersion(server, { flowName: "sub", name: "resume" });
    const deploymentId = deployment.id;
    const before = await subscribe(server.url, { deploymentId });
    await registered(server, 1);
    const seen = (await createVersion(server, { deploymentId })).change.sequence;
    await before.waitFor(1);
    await before.close();
    const missed = [
      (await createVersion(server, { deploymentId })).change.sequence,
      (await server.gql(ROLLBACK, { input: { deploymentId } })).data.rollback.change.sequence,
      (await server.gql(PROMOTE, { input: { deploymentId } })).data.promote.change.sequence,
    ];
    const resumed = await subscribe(server.url, { deploymentId, afterSequence: seen });
    expect((await resumed.waitFor(3)).map((e) => e.sequence)).toEqual(missed);
    const next = (await createVersion(server, { deploymentId })).change.sequence;
    expect((await resumed.waitFor(4)).map((e) => e.sequence)).toEqual([...missed, next]);
    const sentinel = (await createVersion(server, { deploymentId })).change.sequence;
    expect((await resumed.waitFor(5)).map((e) => e.sequence)).toEqual([...missed, next, sentinel]);
    await resumed.close();
  });

  it("publishes nothing for a mutation that fails", async () => {
    const { deployment, version } = await createVersion(server, { flowName: "sub", name: "failures" });
    const deploymentId = deployment.id;
    const sub = await subscribe(server.url, { deploymentId });
    await registered(server, 1);
    expect(codes(await server.gql(ROLLBACK, { input: { deploymentId } }))).toEqual(["VERSION_NOT_FOUND"]);
    expect(codes(await server.gql(PROMOTE, { input: { deploymentId } }))).toEqual(["ALREADY_LIVE"]);
    expect(codes(await server.gql(CREATE_VERSION, { input: { deploymentId, entrypoint: "a.py:f", expectedLiveVersionId: "ver_1234567" } }))).toEqual([
      "LIVE_VERSION_CONFLICT",
    ]);
    expect(codes(await server.gql(CREATE_VERSION, { input: { deploymentId, entrypoint: "a.py:f", jobVariables: { image: "{{ $IMAGE }}" } } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    const ok = await createVersion(server, { deploymentId, expectedLiveVersionId: version.id });
    // Delivered in sequence order: a change published by any failed mutation above would come first.
    expect((await sub.waitFor(1)).map((e) => e.id)).toEqual([ok.change.id]);
    await sub.close();
  });

  it("answers an unknown deployment and a bad afterSequence with their codes", async () => {
    const unknown = await subscribe(server.url, { deploymentId: "dep_424242" });
    const malformed = await subscribe(server.url, { deploymentId: "nope" });
    const negative = await subscribe(server.url, { afterSequence: -1 });
    await Promise.all([unknown, malformed, negative].map((s) => s.waitForErrors(1)));
    const code = (s: { errors: unknown[] }) => (s.errors as Array<{ extensions?: { code?: string } }>).map((e) => e.extensions?.code);
    expect([code(unknown), code(malformed), code(negative)]).toEqual([["DEPLOYMENT_NOT_FOUND"], ["DEPLOYMENT_NOT_FOUND"], ["BAD_USER_INPUT"]]);
    await Promise.all([unknown, malformed, negative].map((s) => s.close()));
  });

  it("survives malformed messages, subscribe/complete storms and abrupt disconnects without leaking", async () => {
    const { deployment } = await createVersion(server, { flowName: "sub", name: "abuse" });
    const listeners = () => server.app.live.hub.listenerCount;
    const raw = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
    await new Promise((resolve) => raw.once("open", resolve));
    const closed = new Promise<number>((resolve) => raw.once("close", (code) => resolve(code)));
    raw.send("{not json");
    expect(await closed).toBe(4400);
    // A storm: many subscriptions opened and completed on one connection, then many sockets cut off.
    const client = wsClient(server.url);
    for (let round = 0; round < 5; round++) {
      const subs = await Promise.all(Array.from({ length: 40 }, () => subscribe(server.url, { deploymentId: deployment.id }, undefined, client)));
      await Promise.all(subs.map((s) => s.close()));
    }
    const sockets = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
        await new Promise((resolve) => socket.once("open", resolve));
        socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } }));
        await new Promise((resolve) => socket.once("message", resolve));
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { liveVersionChanged { sequence } }" } }));
        return socket;
      }),
    );
    await registered(server, 20);
    for (const socket of sockets) socket.terminate();
    await client.dispose();
    const deadline = Date.now() + 5_000;
    while (listeners() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listeners()).toBe(0);
    // And the server still answers.
    expect((await createVersion(server, { deploymentId: deployment.id })).version.number).toBe(2);
  });
});

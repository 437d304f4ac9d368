import type { Client } from "graphql-ws";
import { createConnection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, sleep } from "../support/load";
import { freeze } from "../support/freeze";
import { startMariaDb, type MariaDb } from "../support/processes";
import { CREATE, LIVE } from "../support/reliability-ops";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { TEST_ADMIN_KEY } from "../support/server";
import WebSocket from "ws";
import { LIVE_CHANGED, subscribe, wsClient, wsUrl } from "../support/subscriptions";

/** An operation that takes longer than this while the database is frozen is a hang, not a slow answer. */
const HANG_MS = 15_000;

interface Answer {
  /** The error codes, "ok", or "hang" when nothing came within HANG_MS. */
  outcome: string;
  ms: number;
}

/**
 * One operation over an open graphql-ws connection: its first result (or error) and how long it
 * took. The server completes each of these operations itself; completing one from the client as
 * its result arrives races the server's own complete in graphql-ws's client, which then
 * miscounts its operations and closes the shared socket.
 */
function operation(client: Client, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve) => {
    let first: Answer | null = null;
    const record = (outcome: string) => (first ??= { outcome, ms: Date.now() - started });
    const finish = (outcome: string) => {
      clearTimeout(timer);
      resolve(record(outcome));
    };
    const timer = setTimeout(() => {
      dispose();
      finish("hang");
    }, HANG_MS);
    const dispose = client.subscribe(
      { query, variables },
      {
        next: (message) => void record(message.errors ? message.errors.map((e) => String(e.extensions?.code)).join(",") : "ok"),
        error: (error) => finish(`failed: ${JSON.stringify(error)}`),
        complete: () => finish("completed without a result"),
      },
    );
  });
}

/** Opens a socket and sends connection_init with `key`: how it was answered (acknowledged, or the close code), and how long it took. */
async function connect(url: string, key: string): Promise<Answer> {
  const socket = new WebSocket(wsUrl(url), "graphql-transport-ws");
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const started = Date.now();
  const outcome = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve("hang"), HANG_MS);
    socket.on("message", (data) => {
      if ((JSON.parse(String(data)) as { type?: string }).type === "connection_ack") resolve("acknowledged");
    });
    socket.once("close", (code) => resolve(`closed ${code}`));
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${key}` } }));
    void timer;
  });
  socket.terminate();
  return { outcome, ms: Date.now() - started };
}

// docs/design.md, "Errors" (UNAVAILABLE): over WebSocket too, a database that stops answering
// (SIGSTOP: its sockets stay open, nothing answers) costs each operation a bounded wait and an
// UNAVAILABLE answer, never a hang; and the connection recovers once the database answers again.
describe("a frozen database, over WebSocket", () => {
  let db: MariaDb;
  let server: ServerProcess;
  beforeAll(async () => {
    db = await startMariaDb();
    const admin = await createConnection({ uri: db.url });
    await admin.query("CREATE DATABASE waymark CHARACTER SET utf8mb4");
    await admin.end();
    server = await startServerProcess({ DATABASE_URL: db.url.replace(/\/mysql$/, "/waymark") });
  });
  afterAll(async () => {
    if (db?.process.exitCode === null) db.process.kill("SIGCONT");
    await server?.stop();
    await db?.stop();
  });

  it("answers queries, mutations, replays and connection_init UNAVAILABLE within the bound, then recovers", async () => {
    const seed = await send(server.url, CREATE, { input: { flowName: "frozen", name: "ws", entrypoint: "flows/frozen.py:seed" } });
    expect(seed.kind, JSON.stringify(seed)).toBe("ok");
    const deploymentId: string = seed.data.createVersion.change.deployment.id;
    const created = await send(server.url, `mutation { createApiKey(input: { name: "frozen-reader", scopes: [READ] }) { key } }`);
    const unusedKey: string = created.data.createApiKey.key;
    const client = wsClient(server.url, TEST_ADMIN_KEY);
    const live = await subscribe(server.url, { deploymentId }, LIVE_CHANGED, client);
    expect((await operation(client, LIVE, { id: deploymentId })).outcome).toBe("ok");
    // Several pooled connections open and idle, as under steady load.
    await Promise.all(Array.from({ length: 8 }, () => send(server.url, LIVE, { id: deploymentId })));

    await freeze(db.process);
    let answers: Record<"read" | "create" | "replay" | "init", Answer>;
    try {
      const [read, create, replay, init] = await Promise.all([
        operation(client, LIVE, { id: deploymentId }),
        operation(client, CREATE, { input: { deploymentId, entrypoint: "flows/frozen.py:frozen" } }),
        operation(client, LIVE_CHANGED, { deploymentId, afterSequence: 0 }),
        // A key this instance has never resolved: its lookup must reach the database.
        connect(server.url, unusedKey),
      ]);
      answers = { read, create, replay, init };
    } finally {
      db.process.kill("SIGCONT");
    }
    console.log(`frozen database over WebSocket (each answered within ${HANG_MS} ms, or "hang"): ${JSON.stringify(answers)}`);
    expect({
      read: answers.read.outcome,
      create: answers.create.outcome,
      replay: answers.replay.outcome,
      init: answers.init.outcome,
    }).toEqual({ read: "UNAVAILABLE", create: "UNAVAILABLE", replay: "UNAVAILABLE", init: "closed 1013" });

    // Thawed: the same connection writes again, and its subscription hears of it.
    let resumed: Answer = { outcome: "not tried", ms: 0 };
    for (let attempt = 0; attempt < 20 && resumed.outcome !== "ok"; attempt++) {
      if (attempt > 0) await sleep(250);
      resumed = await operation(client, CREATE, { input: { deploymentId, entrypoint: `flows/frozen.py:thawed${attempt}` } });
    }
    expect(resumed.outcome).toBe("ok");
    await live.waitFor(1);
    expect((await connect(server.url, unusedKey)).outcome).toBe("acknowledged");
    await live.close();
    await client.dispose();
  });
});

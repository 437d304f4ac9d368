import { createConnection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { runClients, send, sleep, Tally, type Outcome } from "../support/load";
import { CREATE, LIVE } from "../support/reliability-ops";
import { watchSubscription } from "../support/reliability-ws";

/** A shutdown taking longer than this is a hang. */
const EXIT_BOUND_MS = 15_000;
/** How a request that found the server gone may end: no connection, or a connection closed before any response. */
const REFUSED = new Set(["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET", "EPIPE"]);

interface Sent {
  label: "create" | "read";
  entrypoint?: string;
  outcome: Outcome;
}

// docs/design.md, "Running it": SIGTERM drains in-flight work, refuses new work cleanly and exits 0.
describe("R5 SIGTERM under load", () => {
  let server: ServerProcess;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase("mysql");
    server = await startServerProcess({ DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("finishes in-flight requests, refuses new ones cleanly, closes WebSockets with 1001 and exits 0", async () => {
    const make = async (name: string) => {
      const outcome = await send(server.url, CREATE, { input: { flowName: "sigterm", name, entrypoint: `flows/${name}.py:seed` } });
      expect(outcome.kind, JSON.stringify(outcome)).toBe("ok");
      return outcome.data.createVersion.change.deployment.id as string;
    };
    const [busy, held] = [await make("busy"), await make("held")];
    const watcher = await watchSubscription(server.url, { deploymentId: busy });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => server.child.once("exit", (code) => resolve({ code, at: Date.now() })));

    const sent: Sent[] = [];
    let stopping = false;
    const load = runClients({ clients: 4, durationMs: 30_000, maxOpsPerClient: 3_000, pauseMs: 5, until: () => stopping }, async (n, op) => {
      if (op % 3 === 0) {
        sent.push({ label: "read", outcome: await send(server.url, LIVE, { id: busy }) });
        return;
      }
      const entrypoint = `flows/busy.py:c${n}o${op}`;
      sent.push({ label: "create", entrypoint, outcome: await send(server.url, CREATE, { input: { deploymentId: busy, entrypoint } }) });
    });
    await sleep(1_000);

    // Requests that are certainly in flight when SIGTERM arrives: the test holds the row they wait on.
    const lock = await createConnection({ uri: database.url });
    await lock.query("START TRANSACTION");
    await lock.query("SELECT id FROM deployment WHERE name = 'held' FOR UPDATE");
    const heldEntrypoints = [0, 1, 2].map((i) => `flows/held.py:${i}`);
    const heldRequests = heldEntrypoints.map((entrypoint) => send(server.url, CREATE, { input: { deploymentId: held, entrypoint } }, { timeoutMs: 20_000 }));
    await sleep(500);
    const sigtermAt = Date.now();
    server.child.kill("SIGTERM");
    await sleep(1_000);
    await lock.query("ROLLBACK");
    await lock.end();
    const releasedAt = Date.now();
    const heldOutcomes = await Promise.all(heldRequests);
    const exit = await Promise.race([exited, sleep(EXIT_BOUND_MS).then(() => ({ code: null, at: Number.NaN }))]);
    await sleep(500);
    stopping = true;
    await load;
    const closeCode = await Promise.race([watcher.closed, sleep(1_000).then(() => -1)]);

    const tally = new Tally();
    const phase = (o: Outcome) =>
      o.endedAt < sigtermAt ? "before" : o.startedAt < sigtermAt ? "straddling" : o.startedAt > exit.at ? "after-exit" : "shutdown";
    for (const { label, outcome } of sent)
      tally.add(`${phase(outcome)} ${label} ${outcome.kind}${outcome.failure ? ` ${outcome.failure}` : ""}${outcome.codes.length ? ` ${outcome.codes}` : ""}`);
    console.log(
      `R5: exit code ${exit.code} ${exit.at - sigtermAt} ms after SIGTERM (held rows released after ${releasedAt - sigtermAt} ms); ` +
        `WebSocket close code ${closeCode}; ${sent.length} load requests`,
    );
    console.log("R5 outcomes:", JSON.stringify(tally));

    // The process drained and exited 0, within the bound, after the held requests finished.
    expect(exit.code).toBe(0);
    expect(exit.at).toBeGreaterThan(releasedAt);
    expect(closeCode).toBe(1001);
    // In flight at SIGTERM: completed successfully.
    expect(heldOutcomes.map((o) => o.kind)).toEqual(["ok", "ok", "ok"]);
    expect(Math.min(...heldOutcomes.map((o) => o.endedAt))).toBeGreaterThanOrEqual(releasedAt);
    // Before SIGTERM everything worked; never a hang, a half response or an unexpected error.
    expect(sent.filter((s) => phase(s.outcome) === "before" && s.outcome.kind !== "ok").map((s) => s.outcome)).toEqual([]);
    expect(
      sent.filter((s) => ["timeout", "partial"].includes(s.outcome.kind) || s.outcome.codes.includes("INTERNAL_SERVER_ERROR")).map((s) => s.outcome),
    ).toEqual([]);
    // From SIGTERM on: an answer, a clean HTTP error, or no connection; once it has exited, always refused.
    const unclean = sent.filter((s) => s.outcome.kind === "network" && !REFUSED.has(String(s.outcome.failure)));
    expect(unclean.map((s) => s.outcome)).toEqual([]);
    const afterExit = sent.filter((s) => phase(s.outcome) === "after-exit");
    expect(afterExit.length).toBeGreaterThan(0);
    expect(afterExit.filter((s) => s.outcome.failure !== "ECONNREFUSED").map((s) => s.outcome)).toEqual([]);

    // What was answered is stored; what got no answer was not executed (never a change without its answer).
    const check = await createConnection({ uri: database.url });
    const [rows] = (await check.query("SELECT entrypoint FROM deployment_version")) as unknown as [Array<{ entrypoint: string }>];
    await check.end();
    const stored = new Set(rows.map((r) => r.entrypoint));
    const creates = sent.filter((s) => s.label === "create");
    expect(heldEntrypoints.filter((e) => !stored.has(e))).toEqual([]);
    expect(creates.filter((s) => s.outcome.kind === "ok" && !stored.has(s.entrypoint!)).map((s) => s.entrypoint)).toEqual([]);
    expect(creates.filter((s) => s.outcome.kind !== "ok" && stored.has(s.entrypoint!)).map((s) => s.outcome)).toEqual([]);
  });
});

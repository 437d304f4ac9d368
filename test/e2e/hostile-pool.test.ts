import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { postGraphQL, startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { CREATE_VERSION, deploymentWithVersions } from "../support/operations";
import { registered, subscribe, wsUrl } from "../support/subscriptions";

// One caller doing its worst inside every query limit must not take the database pool from
// everyone else: a read key's fan-out of per-parent lookups, and a WebSocket replaying the log
// many times over. Meanwhile another key's createVersion succeeds, /healthz answers, and the
// log does not fill with a line per failed field.

/** Aliases of a page of versions whose every node asks for its deployment's versions again: near the cost limit. */
const fanOut = (deploymentId: string, aliases: number) =>
  `{ ${Array.from({ length: aliases }, (_, i) => `a${i}: deployment(id: "${deploymentId}") { versions(first: 100) { edges { node { deployment { versions(first: 1) { totalCount } } } } } }`).join(" ")} }`;
const ALIASES = 18;

/** A graphql-ws socket that sends `count` replaying subscriptions at once; resolves with every error code it got back. */
async function replayStorm(server: TestServer, count: number): Promise<{ codes: string[]; nexts: number; close(): void }> {
  const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const result = { codes: [] as string[], nexts: 0, close: () => socket.terminate() };
  const acked = new Promise<void>((resolve) =>
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: Array<{ extensions?: { code?: string } }> | { errors?: Array<{ extensions?: { code?: string } }> };
      };
      if (message.type === "connection_ack") resolve();
      if (message.type === "error")
        for (const e of message.payload as Array<{ extensions?: { code?: string } }>) result.codes.push(e.extensions?.code ?? "none");
      if (message.type === "next") {
        result.nexts++;
        for (const e of (message.payload as { errors?: Array<{ extensions?: { code?: string } }> }).errors ?? [])
          result.codes.push(e.extensions?.code ?? "none");
      }
    }),
  );
  socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${TEST_ADMIN_KEY}` } }));
  await acked;
  for (let i = 0; i < count; i++) {
    socket.send(
      JSON.stringify({
        id: String(i),
        type: "subscribe",
        payload: { query: "subscription { liveVersionChanged(afterSequence: 0) { sequence liveVersion { number } } }" },
      }),
    );
  }
  return result;
}

async function timedHealthz(server: TestServer): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(server.url.replace(/\/graphql$/, "/healthz"));
  await response.text();
  return { status: response.status, ms: performance.now() - started };
}

describe("the database pool under one hostile caller (mysql)", () => {
  let server: TestServer;
  const lines: Array<{ level: number; msg: string }> = [];
  let deploymentId: string;
  let readKey: string;
  let deployKey: string;

  beforeAll(async () => {
    const log = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    server = await startServer("mysql", {}, log);
    ({ deploymentId } = await deploymentWithVersions(server, 100, "pool", "hostile"));
    const key = async (name: string, scope: string) =>
      (
        (await server.gql(`mutation { createApiKey(input: { name: "${name}", scopes: [${scope.toUpperCase()}] }) { key } }`)).data as {
          createApiKey: { key: string };
        }
      ).createApiKey.key;
    readKey = await key("attacker", "read");
    deployKey = await key("ci", "deploy");
  }, 180_000);
  afterAll(() => server?.close());

  it("passes the query limits with the fan-out (the attack is inside every limit)", async () => {
    const result = await postGraphQL(server.url, fanOut(deploymentId, ALIASES), {}, { authorization: `Bearer ${readKey}` });
    expect(result.errors?.map((e) => e.extensions?.code) ?? []).not.toContain("QUERY_TOO_COMPLEX");
  });

  it("keeps another key's createVersion succeeding, /healthz answering and the log quiet while a read key fans out and a socket replays", async () => {
    const warningsBefore = lines.filter((l) => l.level >= 40).length;
    const attacker = { authorization: `Bearer ${readKey}` };
    const bystander = await subscribe(server.url, { deploymentId });
    await registered(server, 1);
    const storm = await replayStorm(server, 1_500);
    const attacks = Array.from({ length: 6 }, () => postGraphQL(server.url, fanOut(deploymentId, ALIASES), {}, attacker));
    const writes: Array<Awaited<ReturnType<typeof postGraphQL>>> = [];
    const health: Array<{ status: number; ms: number }> = [];
    for (let i = 0; i < 5; i++) {
      health.push(await timedHealthz(server));
      writes.push(
        await postGraphQL(
          server.url,
          CREATE_VERSION,
          { input: { deploymentId, entrypoint: `flows/etl.py:during${i}` } },
          { authorization: `Bearer ${deployKey}` },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const attackStarted = performance.now();
    const answers = await Promise.all(attacks);
    console.log(
      `attack: ${Math.round(performance.now() - attackStarted)} ms more after the writes; /healthz ${health.map((h) => Math.round(h.ms)).join("/")} ms; ` +
        `storm: ${storm.nexts} events, ${storm.codes.length} errors; attack errors: ${answers.reduce((n, a) => n + (a.errors?.length ?? 0), 0)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    storm.close();

    for (const write of writes) expect(write.errors, JSON.stringify(write.errors)).toBeUndefined();
    // Another client's subscription lost nothing.
    const sequences = writes.map((w) => (w.data as { createVersion: { change: { sequence: number } } }).createVersion.change.sequence);
    expect((await bystander.waitFor(5)).map((e) => e.sequence)).toEqual(sequences);
    await bystander.close();
    for (const probe of health) expect(probe).toMatchObject({ status: 200 });
    expect(Math.max(...health.map((h) => h.ms))).toBeLessThan(3_000);
    // Each attacking request is either answered or refused as retryable; never an internal error.
    for (const answer of answers) {
      for (const error of answer.errors ?? []) {
        expect(error.extensions).toMatchObject({ code: "UNAVAILABLE", retryable: true });
      }
    }
    expect(storm.codes.filter((c) => c !== "RATE_LIMITED" && c !== "UNAVAILABLE")).toEqual([]);
    expect(storm.codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(1_400);
    // Whatever was refused is in the log a handful of times at most, not once per field.
    const warnings = lines.slice(warningsBefore).filter((l) => l.level >= 40);
    expect(warnings.length, JSON.stringify(warnings.slice(0, 5))).toBeLessThanOrEqual(5);
  });

  it("answers the whole fan-out when it runs alone, in a handful of statements (per-parent lists are batched)", async () => {
    // Counted by swapping in a counting TypeORM logger, as sql-statements.test.ts does.
    const dataSource = server.app.db.dataSource;
    const logger = dataSource.logger;
    let statements = 0;
    const counting = Object.create(logger) as typeof logger;
    counting.logQuery = (...args: Parameters<typeof logger.logQuery>) => (statements++, logger.logQuery(...args));
    Object.defineProperty(dataSource, "logger", { value: counting, configurable: true });
    const started = performance.now();
    const answer = await postGraphQL(server.url, fanOut(deploymentId, ALIASES), {}, { authorization: `Bearer ${readKey}` });
    const ms = performance.now() - started;
    Object.defineProperty(dataSource, "logger", { value: logger, configurable: true });
    console.log(`fan-out of ${ALIASES} aliases × 100 nodes: ${statements} statements, ${Math.round(ms)} ms`);
    expect(answer.errors).toBeUndefined();
    expect(statements).toBeLessThanOrEqual(20);
    const first = (answer.data as Record<string, any>).a0.versions.edges;
    expect(first).toHaveLength(100);
    expect(first[0].node.deployment.versions.totalCount).toBeGreaterThanOrEqual(105);
  });
});

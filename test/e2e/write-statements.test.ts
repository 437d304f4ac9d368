import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, STORES, type TestServer } from "../support/server";
import { recordStatements, type Sent } from "../support/statements";
import { createVersion } from "../support/operations";
import { createWebhook, startReceiver, until, WEBHOOK_ENV, type Receiver } from "../support/webhook-receiver";

// What one createVersion costs the database, statement by statement: its transaction, and
// nothing after it unless a feature needs it (docs/design.md, "The write transaction"). The
// delivery worker polls at its interval (a minute here), so any poll seen is one a commit asked for.

const CREATE = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { id } change { sequence } warnings } }`;
const FLAG = `mutation($input: FlagVersionInput!) { flagVersion(input: $input) { flag { status } } }`;
const WORKER_POLL = /FROM webhook_delivery d/;
/** What the store appends to every history write on MySQL, up to its COMMIT (src/db/mysql-store.ts). */
const TAIL = [
  expect.stringMatching(/^INSERT INTO audit_entry /),
  expect.stringMatching(/^UPDATE deployment SET /),
  expect.stringMatching(/^UPDATE workspace SET last_sequence/),
  expect.stringMatching(/^INSERT INTO live_version_change /),
  expect.stringMatching(/^INSERT INTO webhook_delivery /),
  "COMMIT",
];
const BAD_TWINS = /content_hash = /;

/**
 * The statements of the one write transaction among `sent` (MySQL), from its START TRANSACTION to
 * its COMMIT, each cut to its start. The connection is the write's alone in between; after the
 * COMMIT it may serve other reads.
 */
function transactionOf(sent: Sent[], containing: RegExp): string[] {
  const transactions = sent.flatMap((s, at) => {
    if (s.sql !== "START TRANSACTION") return [];
    const on = sent.slice(at).filter((t) => t.connection === s.connection);
    return [on.slice(0, on.findIndex((t) => t.sql === "COMMIT") + 1).map((t) => t.sql.replace(/\s+/g, " ").slice(0, 40))];
  });
  // The write's own, not one a background job (a pruner, the delivery worker) ran meanwhile.
  const found = transactions.filter((t) => t.some((sql) => containing.test(sql)));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe.each(STORES)("statements of a createVersion (%s)", (store) => {
  let server: TestServer;
  let recorder: ReturnType<typeof recordStatements>;
  let receiver: Receiver | undefined;

  beforeAll(async () => {
    server = await startServer(store, { ...WEBHOOK_ENV, WAYMARK_WEBHOOKS_POLL_MS: "60000" });
    recorder = recordStatements(server.app.db);
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  /** Sends a request and returns its answer with what the database was sent, up to a moment after the answer. */
  async function recorded(query: string, variables: Record<string, unknown>): Promise<{ sent: Sent[]; data: Record<string, any> }> {
    recorder.start();
    const result = await server.gql(query, variables);
    // Long enough for anything a commit sets off (the worker's poll runs on the next turns).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = recorder.stop();
    expect(result.errors).toBeUndefined();
    return { sent, data: result.data };
  }

  /** Creates a version and returns what the database was sent, and the answer's warnings. */
  async function statementsOf(input: Record<string, unknown>): Promise<{ sent: Sent[]; warnings: string[] }> {
    const { sent, data } = await recorded(CREATE, { input: { entrypoint: "flows/etl.py:main", ...input } });
    return { sent, warnings: data.createVersion.warnings };
  }

  it("is its transaction alone when no webhook hears the change and no version was ever flagged BAD", async () => {
    await statementsOf({ flowName: "etl", name: "plain", entrypoint: "flows/etl.py:v1" });
    const { sent, warnings } = await statementsOf({ flowName: "etl", name: "plain", entrypoint: "flows/etl.py:v2" });
    expect(warnings).toEqual([]);
    expect(sent.filter((s) => WORKER_POLL.test(s.sql))).toEqual([]);
    expect(sent.filter((s) => BAD_TWINS.test(s.sql))).toEqual([]);
    if (store === "mysql") {
      expect(transactionOf(sent, /^INSERT INTO live_version_change /)).toEqual([
        "START TRANSACTION",
        expect.stringMatching(/^SELECT /),
        expect.stringMatching(/^INSERT INTO deployment_version /),
        ...TAIL,
      ]);
      // A single server never ends a transaction without an error, so autocommit is left alone (Galera only).
      expect(sent.filter((s) => /autocommit/i.test(s.sql))).toEqual([]);
    }
  });

  it("moves the live version in its transaction alone, the target's BAD flag read with the target", async () => {
    const { deployment } = await createVersion(server, { flowName: "etl", name: "moved", entrypoint: "flows/etl.py:v1" });
    await createVersion(server, { deploymentId: deployment.id, entrypoint: "flows/etl.py:v2" });
    const { sent } = await recorded(`mutation($input: RollbackInput!) { rollback(input: $input) { change { sequence } } }`, {
      input: { deploymentId: deployment.id },
    });
    expect(sent.filter((s) => WORKER_POLL.test(s.sql) || /AS bad FROM deployment_version WHERE id = \? AND/.test(s.sql))).toEqual([]);
    // The answer's deployment is the row the move locked and changed, not read again.
    expect(sent.filter((s) => /DeploymentEntity/.test(s.sql))).toEqual([]);
    if (store === "mysql") {
      expect(transactionOf(sent, /^INSERT INTO live_version_change /)).toEqual([
        "START TRANSACTION",
        expect.stringMatching(/^SELECT /),
        expect.stringMatching(/^SELECT 'live' AS role/),
        ...TAIL,
      ]);
    }
  });

  it("answers a move with the deployment as the move committed it", async () => {
    const { deployment } = await createVersion(server, { flowName: "etl", name: "answered", entrypoint: "flows/etl.py:v1" });
    await createVersion(server, { deploymentId: deployment.id, entrypoint: "flows/etl.py:v2" });
    const SELECTION = `id updatedAt liveVersion { id number } pin { by at reason } viewerCanRollback viewerCanPromote versionCount`;
    const fresh = async () => (await server.gql(`query($id: ID!) { deployment(id: $id) { ${SELECTION} } }`, { id: deployment.id })).data.deployment;
    for (const [mutation, input] of [
      ["rollback(input: $input)", { deploymentId: deployment.id, pin: true, reason: "hold v1" }],
      ["promote(input: $input)", { deploymentId: deployment.id, unpin: true }],
    ] as const) {
      const type = mutation.startsWith("rollback") ? "RollbackInput" : "PromoteInput";
      const moved = await server.gql(`mutation($input: ${type}!) { ${mutation} { deployment { ${SELECTION} } } }`, { input });
      expect(moved.errors).toBeUndefined();
      expect(Object.values(moved.data)[0]).toEqual({ deployment: await fresh() });
    }
  });

  it("looks for BAD twins only in a deployment with a version flagged BAD, and still warns of them", async () => {
    const first = await statementsOf({ flowName: "etl", name: "flagged", entrypoint: "flows/etl.py:v1" });
    expect(first.sent.filter((s) => BAD_TWINS.test(s.sql))).toEqual([]);
    const v1 = (await server.gql(`{ deploymentByName(flowName: "etl", name: "flagged") { versions(first: 1) { edges { node { id } } } } }`)).data
      .deploymentByName.versions.edges[0].node.id as string;
    expect((await server.gql(FLAG, { input: { versionId: v1, status: "BAD", reason: "broke prod" } })).errors).toBeUndefined();
    const twin = await statementsOf({ flowName: "etl", name: "flagged", entrypoint: "flows/etl.py:v1" });
    expect(twin.warnings).toEqual(['This content equals version 1 ("v1"), which is flagged BAD']);
    expect(twin.sent.filter((s) => BAD_TWINS.test(s.sql))).toHaveLength(1);
  });

  it("has the worker look at once after a commit that queued a delivery, not at its next poll", async () => {
    receiver = await startReceiver();
    await createWebhook(server, { url: `${receiver.url}/hook`, flowName: "heard" });
    const { sent } = await statementsOf({ flowName: "heard", name: "d", entrypoint: "flows/etl.py:v1" });
    expect(sent.filter((s) => WORKER_POLL.test(s.sql)).length).toBeGreaterThan(0);
    // The poll interval is a minute: a delivery within a few seconds came from that look.
    await until("the delivery", () => receiver!.accepted().length === 1, 5_000);
    expect(receiver.accepted()[0]).toMatchObject({ deployment: { flowName: "heard", name: "d" } });
  });
});

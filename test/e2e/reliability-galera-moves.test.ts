import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnection } from "mysql2/promise";
import { createApp, type App } from "../../src/app";
import { parseConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import type { WriteStore } from "../../src/db/write-store";
import { startGaleraCluster, type GaleraCluster } from "../support/galera";
import { TEST_ADMIN_KEY, postGraphQL, type GraphQLResult } from "../support/server";
import { CREATE_VERSION, PROMOTE, ROLLBACK } from "../support/operations";

// Pointer moves of one deployment racing through different nodes of a 3-node Galera cluster. Each
// move reads the live pointer under a row lock that is local to its node; only certification (or
// the applier aborting the local lock holder) stops a move that read a pointer another node has
// since moved. Whatever the timing, the live log must stay one chain: every entry's previous
// version is the version the entry before it made live, checked here from the tables.

const DATABASE = "wm_galera_moves";

/** Entries of a deployment whose previous version is not the one the entry before them made live. */
async function chainBreaks(url: string, deploymentKey: number): Promise<string[]> {
  const connection = await createConnection({ uri: url });
  try {
    await connection.query("SET SESSION wsrep_sync_wait = 1");
    const [rows] = (await connection.query(
      `SELECT c.sequence, c.kind, c.previous_version_id AS previous,
         (SELECT p.live_version_id FROM live_version_change p WHERE p.deployment_id = c.deployment_id AND p.sequence < c.sequence
          ORDER BY p.sequence DESC LIMIT 1) AS before_it
       FROM live_version_change c WHERE c.deployment_id = ? ORDER BY c.sequence`,
      [deploymentKey],
    )) as unknown as [Array<{ sequence: number; kind: string; previous: number | null; before_it: number | null }>];
    return rows
      .filter((r) => r.previous !== r.before_it)
      .map((r) => `${r.kind} at sequence ${r.sequence}: previous ${r.previous}, the entry before it made ${r.before_it} live`);
  } finally {
    await connection.end();
  }
}

/** What every write of the deployment leaves behind, one of each: a revision step, a log entry, an audit entry, a sequence number. */
async function footprintProblems(url: string, deploymentKey: number): Promise<string[]> {
  const connection = await createConnection({ uri: url });
  try {
    await connection.query("SET SESSION wsrep_sync_wait = 1");
    const [rows] = (await connection.query(
      `SELECT d.revision,
         (SELECT COUNT(*) FROM live_version_change c WHERE c.deployment_id = d.id) AS entries,
         (SELECT COUNT(*) FROM audit_entry a WHERE a.deployment_id = d.id) AS audits,
         (SELECT w.last_sequence - COUNT(c.id) FROM workspace w JOIN live_version_change c ON c.workspace_id = w.id WHERE w.id = d.workspace_id) AS gaps
       FROM deployment d WHERE d.id = ?`,
      [deploymentKey],
    )) as unknown as [Array<{ revision: number; entries: number; audits: number; gaps: number }>];
    const { revision, entries, audits, gaps } = rows[0]!;
    const problems: string[] = [];
    if (Number(revision) !== Number(entries)) problems.push(`revision ${revision} but ${entries} log entries`);
    if (Number(audits) !== Number(entries)) problems.push(`${audits} audit entries but ${entries} log entries`);
    if (Number(gaps) !== 0) problems.push(`${gaps} workspace sequence numbers taken without a log entry`);
    return problems;
  } finally {
    await connection.end();
  }
}

/** Runs each write of `store` as usual, but holds its tail and COMMIT back until `hold` resolves (its locks stay held meanwhile). */
function holdTails(store: WriteStore, hold: () => Promise<void>): () => void {
  const write = store.write.bind(store);
  store.write = (work) =>
    write(async (tx) => {
      const done = await work(tx);
      await hold();
      return done;
    });
  return () => void (store.write = write);
}

describe("Galera: moves of one deployment racing through different nodes", () => {
  let cluster: GaleraCluster;
  const apps: App[] = [];
  const urls: string[] = [];
  const databaseUrls: string[] = [];

  beforeAll(async () => {
    cluster = await startGaleraCluster(3);
    const admin = await createConnection({ uri: cluster.nodes[0]!.url });
    await admin.query(`CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4`);
    await admin.end();
    for (const node of cluster.nodes) {
      const url = new URL(node.url);
      url.pathname = `/${DATABASE}`;
      databaseUrls.push(url.toString());
      const config = parseConfig({
        DATABASE_URL: url.toString(),
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "silent",
        WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY,
        WAYMARK_AUTH_FAILURES_PER_MINUTE: "100000",
      });
      const app = await createApp({ config, logger: createLogger(config.logLevel) });
      apps.push(app);
      urls.push(await app.listen());
    }
  }, 300_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await cluster?.stop();
  }, 120_000);

  const gql = (node: number, query: string, input: Record<string, unknown>) => postGraphQL(urls[node]!, query, { input });
  const ok = (result: GraphQLResult) => {
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data as Record<string, any>;
  };

  /** A deployment with `count` versions, the newest live; its id, row key and version ids (index = number). */
  async function deployment(name: string, count: number) {
    const ids: string[] = [""];
    let id = "";
    for (let n = 1; n <= count; n++) {
      const created = ok(
        await gql(0, CREATE_VERSION, n === 1 ? { flowName: "race", name, entrypoint: "f.py:v1" } : { deploymentId: id, entrypoint: `f.py:v${n}` }),
      );
      id = created.createVersion.deployment.id;
      ids.push(created.createVersion.version.id);
    }
    return { id, key: Number(id.slice(4)), ids };
  }

  it("a move that read the pointer before another node moved it does not commit on that stale read", async () => {
    const { id, key, ids } = await deployment("held", 3);
    for (let round = 0; round < 5; round++) {
      // Node B reads the pointer (v3 or v1) and locks the row locally, then waits; node A moves the
      // pointer meanwhile and commits; then B's tail and COMMIT go.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let held!: () => void;
      const holding = new Promise<void>((resolve) => (held = resolve));
      const restore = holdTails(apps[1]!.db.store, async () => {
        held();
        await released;
      });
      const onB = gql(1, round % 2 === 0 ? ROLLBACK : PROMOTE, { deploymentId: id, versionId: round % 2 === 0 ? ids[1] : ids[3] });
      await holding;
      restore();
      const onA = await gql(0, round % 2 === 0 ? ROLLBACK : PROMOTE, { deploymentId: id, versionId: ids[2] });
      await new Promise((resolve) => setTimeout(resolve, 500));
      release();
      const answeredB = await onB;
      expect(onA.errors, JSON.stringify(onA.errors)).toBeUndefined();
      expect(answeredB.errors, JSON.stringify(answeredB.errors)).toBeUndefined();
      const change = (answeredB.data as Record<string, any>)[round % 2 === 0 ? "rollback" : "promote"].change;
      // B ran again on the pointer A set: its entry says it moved from v2.
      expect(change.previousVersion.id).toBe(ids[2]);
      expect(await chainBreaks(databaseUrls[2]!, key)).toEqual([]);
    }
  }, 120_000);

  it("keeps one chain, and one revision, audit entry and sequence per entry, while writes of one deployment race through all three nodes", async () => {
    const { id, key, ids } = await deployment("storm", 4);
    const problems: string[] = [];
    const until = Date.now() + 12_000;
    // Two clients per node, each creating, rolling back or promoting the one deployment in turn.
    const client = async (n: number) => {
      for (let op = 0; Date.now() < until && op < 500; op++) {
        const node = n % 3;
        const roll = (n * 7 + op * 13) % 10;
        const answer =
          roll < 3
            ? await gql(node, CREATE_VERSION, { deploymentId: id, entrypoint: `f.py:c${n}o${op}` })
            : await gql(node, roll < 7 ? ROLLBACK : PROMOTE, roll % 2 === 0 ? { deploymentId: id } : { deploymentId: id, versionId: ids[1 + (op % 4)] });
        const code = answer.errors?.[0]?.extensions?.code;
        if (code && !["ALREADY_LIVE", "NOT_OLDER_THAN_LIVE", "NOT_NEWER_THAN_LIVE", "VERSION_NOT_FOUND"].includes(String(code)))
          problems.push(`client ${n} op ${op}: ${code}`);
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(client));
    // A write that kept conflicting on every retry is refused as UNAVAILABLE, with nothing written.
    expect(problems.filter((p) => !p.endsWith("UNAVAILABLE")).slice(0, 5)).toEqual([]);
    expect(await chainBreaks(databaseUrls[1]!, key)).toEqual([]);
    expect(await footprintProblems(databaseUrls[2]!, key)).toEqual([]);
  }, 180_000);
});

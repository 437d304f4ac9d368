import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app";
import { parseConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { runCli } from "../support/cli";
import { TEST_ADMIN_KEY, freshDatabase, postGraphQL } from "../support/server";

// A populated SQLite store moved to MariaDB with `waymark store copy`: every query answers the
// same before and after, the server starts on the new store, and the same keys work.

interface Running {
  app: App;
  url: string;
  gql: (q: string, v?: Record<string, unknown>, key?: string) => Promise<any>;
}

async function serve(databaseUrl: string): Promise<Running> {
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY,
    WAYMARK_RETENTION_INTERVAL_SECONDS: "0",
  });
  const app = await createApp({ config, logger: createLogger("silent") });
  const url = await app.listen();
  return { app, url, gql: (q, v = {}, key = TEST_ADMIN_KEY) => postGraphQL(url, q, v, { authorization: `Bearer ${key}` }) };
}

const VERSION = "id number version isLive entrypoint parameters pullSteps contentHash createdAt createdBy prunedAt sourceInfo { commitSha branch }";
const QUERIES: Record<string, string> = {
  deployments: `{ deployments(first: 100, filter: { includeArchived: true }) { totalCount edges { cursor node { id flowName name paused schedules concurrencyLimit concurrencyOptions versionCount archivedAt retention { keepLast keepDays } createdAt updatedAt } } } }`,
  audit: `{ auditLog(first: 100) { totalCount edges { cursor node { id kind at actor deploymentId flowName deploymentName versionId details } } } }`,
  keys: `{ apiKeys { id name prefix scopes createdAt createdBy revokedAt } }`,
};
const PER_DEPLOYMENT = `query($id: ID!, $t: DateTime!) { deployment(id: $id) { id liveVersion { ${VERSION} } liveAt(time: $t) { number }
  versions(first: 100) { totalCount edges { cursor node { ${VERSION} } } }
  liveHistory(first: 100) { edges { cursor node { id sequence kind actor reason at previousVersion { number prunedAt } liveVersion { number } } } }
  livePeriods(first: 100) { edges { cursor node { from to startedBy endedBy startedByKind version { number } } } } } }`;

async function answers(server: Running, keys: string[], times: string[]): Promise<unknown> {
  const all: Record<string, unknown> = {};
  for (const key of keys) {
    for (const [name, query] of Object.entries(QUERIES)) all[`${key.slice(0, 12)} ${name}`] = await server.gql(query, {}, key);
    const list = await server.gql(QUERIES.deployments!, {}, key);
    for (const edge of list.data.deployments.edges) {
      for (const t of times) all[`${edge.node.id} ${t}`] = await server.gql(PER_DEPLOYMENT, { id: edge.node.id, t }, key);
    }
  }
  return all;
}

describe("moving a SQLite store to MariaDB", () => {
  let dir: string;
  let source: Running | null = null;
  let target: Running | null = null;
  let mysql: { url: string; drop: () => Promise<void> };
  const keys = [TEST_ADMIN_KEY];
  const times: string[] = [];
  let before: unknown;
  let deployKey = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "waymark-move-"));
    mysql = await freshDatabase("mysql");
    source = await serve(`sqlite:${join(dir, "waymark.sqlite")}`);
    const s = source;
    deployKey = (await s.gql(`mutation { createApiKey(input: { name: "ci", scopes: [DEPLOY, RELEASE] }) { key } }`)).data.createApiKey.key;
    const revoked = (await s.gql(`mutation { createApiKey(input: { name: "old", scopes: [READ] }) { apiKey { id } } }`)).data.createApiKey.apiKey.id;
    await s.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: revoked });
    const create = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { deployment { id } } }`;
    const ids: Record<string, string> = {};
    for (let i = 0; i < 40; i++) {
      const name = ["prod", "staging", "doomed", "old"][i % 4]!;
      const input = {
        flowName: "etl",
        name,
        entrypoint: `flows/etl.py:v${i}`,
        parameters: { i },
        idempotencyKey: `k-${i}`,
        sourceInfo: { commitSha: `${i}`.padStart(40, "a"), branch: "main" },
        settings: { concurrencyLimit: i % 3 },
      };
      ids[name] = (await s.gql(create, { input }, deployKey)).data.createVersion.deployment.id;
      if (i === 20) times.push(new Date().toISOString());
    }
    await s.gql(
      `mutation($i: RollbackInput!) { rollback(input: $i) { change { id } } }`,
      { i: { deploymentId: ids.prod, number: 3, reason: "bad" } },
      deployKey,
    );
    await s.gql(`mutation($i: PromoteInput!) { promote(input: $i) { change { id } } }`, { i: { deploymentId: ids.prod, number: 7 } });
    await s.gql(`mutation($i: UpdateDeploymentSettingsInput!) { updateDeploymentSettings(input: $i) { deployment { id } } }`, {
      i: { deploymentId: ids.staging, paused: true, schedules: [{ cron: "0 * * * *" }] },
    });
    await s.gql(`mutation($i: DeploymentLifecycleInput!) { archiveDeployment(input: $i) { deployment { id } } }`, { i: { deploymentId: ids.old } });
    await s.gql(`mutation($i: DeleteDeploymentInput!) { deleteDeployment(input: $i) { name } }`, {
      i: { deploymentId: ids.doomed, confirmName: "etl/doomed" },
    });
    await s.gql(create, { input: { flowName: "etl", name: "doomed", entrypoint: "x.py:f" } });
    await s.gql(`mutation($i: SetDeploymentRetentionInput!) { setDeploymentRetention(input: $i) { deployment { id } } }`, {
      i: { deploymentId: ids.staging, keepLast: 3 },
    });
    await s.app.pruner.runOnce();
    const other = (await s.gql(`mutation { createWorkspace(input: { name: "team-b" }) { key } }`)).data.createWorkspace.key;
    keys.push(other);
    await s.gql(create, { input: { flowName: "etl", name: "prod", entrypoint: "b.py:f" } }, other);
    times.push(new Date().toISOString(), "2000-01-01T00:00:00.000Z");
    before = await answers(s, keys, times);
    await s.app.close();
    source = null;
  }, 120_000);

  afterAll(async () => {
    await source?.app.close();
    await target?.app.close();
    await mysql?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("copies it with every id, number and sequence, and every query answers the same", async () => {
    const run = await runCli("http://127.0.0.1:1/graphql", dir, ["store", "copy", "--from", `sqlite:${join(dir, "waymark.sqlite")}`, "--to", mysql.url]);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^copied \d+ rows in [\d.]+ s \(workspace 2, api_key 4, deployment 6, deployment_version 42,/);
    target = await serve(mysql.url);
    expect(await answers(target, keys, times)).toEqual(before);
  });

  it("starts on the new store with the same keys, and carries on numbering and sequences", async () => {
    const t = target!;
    const created = await t.gql(
      `mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { number } change { sequence } } }`,
      { input: { flowName: "etl", name: "prod", entrypoint: "flows/etl.py:next" } },
      deployKey,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data.createVersion.version.number).toBe(11);
    const history = await t.gql(`{ deploymentByName(flowName: "etl", name: "prod") { liveHistory(first: 2) { edges { node { sequence } } } } }`);
    const [newest, previous] = history.data.deploymentByName.liveHistory.edges.map((e: any) => e.node.sequence);
    expect(newest).toBeGreaterThan(previous);
    // A retried createVersion from before the move is still answered, not repeated.
    const retried = await t.gql(
      `mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { number } } }`,
      {
        input: {
          flowName: "etl",
          name: "prod",
          entrypoint: "flows/etl.py:v0",
          parameters: { i: 0 },
          idempotencyKey: "k-0",
          sourceInfo: { commitSha: "0".padStart(40, "a"), branch: "main" },
          settings: { concurrencyLimit: 0 },
        },
      },
      deployKey,
    );
    expect(retried.data.createVersion.version.number).toBe(1);
  });

  it("exports to a file and refuses to import into a store that is not empty", async () => {
    const file = join(dir, "backup.ndjson");
    const exported = await runCli("http://127.0.0.1:1/graphql", dir, ["store", "export", "--from", mysql.url, "--to", file]);
    expect(exported, exported.stderr).toMatchObject({ code: 0 });
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: "waymark-store", version: 1 });
    expect(readFileSync(file, "utf8")).not.toContain(TEST_ADMIN_KEY);
    const refused = await runCli("http://127.0.0.1:1/graphql", dir, ["store", "import", "--from", file, "--to", mysql.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("not empty");
    const again = await runCli("http://127.0.0.1:1/graphql", dir, ["store", "import", "--from", file, "--to", `sqlite:${join(dir, "restored.sqlite")}`]);
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/^imported /);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeId } from "../../src/ids";
import { startServer, STORES, type TestServer } from "../support/server";
import { createVersion } from "../support/operations";
import { subscribe } from "../support/subscriptions";

// ifUnchanged: SKIP creates, logs and publishes nothing when the content equals the live
// version's, answers with the live version (created: false), and still applies settings.

const CREATE = `mutation($input: CreateVersionInput!) {
  createVersion(input: $input) { created becameLive change { id kind } version { id number } deployment { paused versionCount } }
}`;

describe.each(STORES)("skipping unchanged creates on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());
  const sql = (text: string, params: unknown[]) => server.app.db.dataSource.query(text, params) as Promise<Array<Record<string, unknown>>>;

  it("answers with the live version, creating and publishing nothing, and applies settings", async () => {
    const first = await createVersion(server, { flowName: "skip", name: "same", parameters: { a: 1 } });
    const deploymentId = first.deployment.id;
    const events = await subscribe(server.url, { deploymentId });
    try {
      const input = { deploymentId, entrypoint: "flows/etl.py:main", parameters: { a: 1 }, ifUnchanged: "SKIP", settings: { paused: true } };
      const skipped = await server.gql(CREATE, { input });
      expect(skipped.errors).toBeUndefined();
      expect(skipped.data.createVersion).toEqual({
        created: false,
        becameLive: true,
        change: null,
        version: { id: first.version.id, number: 1 },
        deployment: { paused: true, versionCount: 1 },
      });
      const keyed = { ...input, idempotencyKey: "skip-1" };
      const once = await server.gql(CREATE, { input: keyed });
      const twice = await server.gql(CREATE, { input: keyed });
      expect(twice.data.createVersion).toEqual(once.data.createVersion);
      const changed = await server.gql(CREATE, { input: { ...input, parameters: { a: 2 } } });
      expect(changed.data.createVersion).toMatchObject({ created: true, change: { kind: "CREATE" }, version: { number: 2 } });
      expect((await events.waitFor(1)).map((e) => e.id)).toEqual([changed.data.createVersion.change.id]);
    } finally {
      await events.close();
    }
  });

  it("creates at most one version per distinct content under concurrency", async () => {
    const first = await createVersion(server, { flowName: "skip", name: "storm", parameters: { n: 0 } });
    const deploymentId = first.deployment.id;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        server.gql(CREATE, { input: { deploymentId, entrypoint: "flows/etl.py:main", parameters: { n: i % 2 === 0 ? 0 : 1 }, ifUnchanged: "SKIP" } }),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const key = decodeId("deployment", deploymentId);
    const rows = await sql("SELECT number, content_hash FROM deployment_version WHERE deployment_id = ? ORDER BY number", [key]);
    const creates = results.filter((r) => r.data.createVersion.created).length;
    expect(rows.length).toBe(1 + creates);
    // Consecutive versions never repeat content: each create differed from the version live then.
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.content_hash).not.toBe(rows[i - 1]!.content_hash);
    const same = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.gql(CREATE, { input: { deploymentId, entrypoint: "flows/etl.py:main", parameters: { n: 7 }, ifUnchanged: "SKIP" } }),
      ),
    );
    expect(same.filter((r) => r.data.createVersion.created)).toHaveLength(1);
    expect(new Set(same.map((r) => r.data.createVersion.version.id)).size).toBe(1);
  });
});

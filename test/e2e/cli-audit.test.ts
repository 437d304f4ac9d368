import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Run } from "../support/cli";
import { startServer, TEST_ADMIN_NAME, type TestServer } from "../support/server";
import { ROLLBACK, createVersion } from "../support/operations";

// `waymark audit` as a child process: every page, in order, in each format, with its filters.
describe("waymark audit on sqlite", () => {
  let server: TestServer;
  let dir: string;
  let deploymentId: string;
  const waymark = (args: string[]): Promise<Run> => runCli(server.url, dir, args);

  beforeAll(async () => {
    server = await startServer("sqlite");
    dir = mkdtempSync(join(tmpdir(), "waymark-cli-audit-"));
    // More than two pages of 100: the CLI must follow the cursor.
    for (let i = 0; i < 230; i++)
      ({
        deployment: { id: deploymentId },
      } = await createVersion(server, { flowName: i % 2 ? "odd" : "even", name: "prod" }));
    await server.gql(ROLLBACK, { input: { deploymentId, reason: 'broken, "really"' } });
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints every entry newest first as NDJSON, page after page", async () => {
    const run = await waymark(["audit", "--format", "ndjson"]);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    const rows = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(231 + 1); // the bootstrap key's creation too
    expect(rows[0]).toMatchObject({ kind: "LIVE_MOVED", actor: TEST_ADMIN_NAME, flowName: "odd", details: { direction: "ROLLBACK" } });
    expect(rows.at(-1)).toMatchObject({ kind: "API_KEY_CREATED" });
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it("filters by flow, actor, kind and time", async () => {
    const even = await waymark(["audit", "--flow", "even", "--format", "ndjson"]);
    expect(even.stdout.trimEnd().split("\n")).toHaveLength(115);
    const moves = await waymark(["audit", "--kind", "live_moved", "--actor", TEST_ADMIN_NAME, "--format", "ndjson"]);
    expect(moves.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect((await waymark(["audit", "--since", "2999-01-01", "--format", "ndjson"])).stdout).toBe("");
    expect((await waymark(["audit", "--until", "2000-01-01"])).stdout).toBe("");
    expect((await waymark(["audit", "--actor", "nobody"])).stdout).toBe("");
    const recent = await waymark(["audit", "--since", "1h", "--format", "ndjson"]);
    expect(recent.stdout.trimEnd().split("\n")).toHaveLength(232);
  });

  it("writes CSV with a header and quoted fields, and readable text", async () => {
    const csv = await waymark(["audit", "--kind", "LIVE_MOVED", "--format", "csv"]);
    expect(csv.stdout.split("\r\n")[0]).toBe("at,kind,actor,flowName,deploymentName,deploymentId,versionId,id,details");
    expect(csv.stdout).toContain('"{""direction"":""ROLLBACK""');
    expect(csv.stdout).toContain('broken, \\""really\\""');
    const text = await waymark(["audit", "--flow", "odd"]);
    expect(text.stdout.split("\n")[0]).toMatch(/^\d{4}-\d\d-\d\dT.*LIVE_MOVED\s+odd\/prod {2}bootstrap-admin {2}rollback 115 → 114: broken/);
  });

  it("refuses a bad time or format as a usage error", async () => {
    expect(await waymark(["audit", "--since", "yesterday"])).toMatchObject({ code: 2 });
    expect(await waymark(["audit", "--format", "xml"])).toMatchObject({ code: 2 });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Run } from "../support/cli";
import { startServer, type TestServer } from "../support/server";

// `waymark deploy` has the server check every deployment of the file (createVersion dryRun) before
// it creates the first, so one refused deployment means none is created; `--dry-run` stops there.

const FILE = `
deployments:
- name: one
  entrypoint: check.py:check_flow
  work_pool: { name: pool }
- name: two
  entrypoint: check.py:check_flow
  work_pool: { name: pool }
`;
const LIFECYCLE = (verb: "archive" | "restore") => `mutation($input: DeploymentLifecycleInput!) { ${verb}Deployment(input: $input) { deployment { id } } }`;

describe("waymark deploy checks every deployment first, on mysql", () => {
  let server: TestServer;
  let dir: string;
  const waymark = (args: string[]): Promise<Run> => runCli(server.url, dir, args);
  const state = async (name: string) =>
    (await server.gql(`query($n: String!) { deploymentByName(flowName: "check-flow", name: $n) { id versionCount } }`, { n: name })).data.deploymentByName as {
      id: string;
      versionCount: number;
    } | null;
  const lifecycle = async (verb: "archive" | "restore", name: string) => {
    const result = await server.gql(LIFECYCLE(verb), { input: { deploymentId: (await state(name))!.id } });
    expect(result.errors).toBeUndefined();
  };

  beforeAll(async () => {
    server = await startServer("mysql");
    dir = mkdtempSync(join(tmpdir(), "waymark-deploy-check-"));
    writeFileSync(join(dir, "prefect.yaml"), FILE);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("--dry-run prints what each deployment would get and creates nothing", async () => {
    const run = await waymark(["deploy", "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Would deploy check-flow/one: version 1");
    expect(run.stdout).toContain("Would deploy check-flow/two: version 1");
    expect(run.stdout).toMatch(/live: +yes \(would be\)/);
    expect(run.stdout).toContain("Dry run: nothing was created.");
    expect(await state("one")).toBeNull();
    expect(await state("two")).toBeNull();
  });

  it("creates nothing when the server refuses one deployment of the file, and names it", async () => {
    expect((await waymark(["deploy"])).code).toBe(0);
    await lifecycle("archive", "two");
    const run = await waymark(["deploy"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^waymark: DEPLOYMENT_ARCHIVED: check-flow\/two: .*; none of the 2 deployments was created\n$/);
    expect(run.stdout).toBe("");
    // Before the check, "one" got its version 2 and only "two" was refused.
    expect(await state("one")).toMatchObject({ versionCount: 1 });
    expect(await state("two")).toMatchObject({ versionCount: 1 });
  });

  it("lists every refusal when several deployments are refused", async () => {
    await lifecycle("archive", "one");
    const run = await waymark(["deploy", "--dry-run"]);
    expect(run.code).toBe(3);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^waymark: refused: DEPLOYMENT_ARCHIVED: check-flow\/one: /),
      expect.stringMatching(/^waymark: refused: DEPLOYMENT_ARCHIVED: check-flow\/two: /),
      "waymark: DEPLOYMENT_ARCHIVED: 2 of 2 deployments refused by the server; none of the 2 deployments was created",
    ]);
    await lifecycle("restore", "one");
    await lifecycle("restore", "two");
  });

  it("--dry-run --json gives each deployment's would-be version, and a later deploy creates exactly those", async () => {
    const dry = await waymark(["deploy", "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    const report = JSON.parse(dry.stdout) as { dryRun: boolean; deployed: Array<{ dryRun: boolean; version: { number: number } }> };
    expect(report.dryRun).toBe(true);
    expect(report.deployed.map((d) => [d.dryRun, d.version.number])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    expect(await state("one")).toMatchObject({ versionCount: 1 });
    const real = await waymark(["deploy", "--json"]);
    expect(real.code, real.stderr).toBe(0);
    const deployed = (JSON.parse(real.stdout) as { deployed: Array<{ dryRun: boolean; version: { number: number } }> }).deployed;
    expect(deployed.map((d) => [d.dryRun, d.version.number])).toEqual([
      [false, 2],
      [false, 2],
    ]);
  });
});

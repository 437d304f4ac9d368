import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Run } from "../support/cli";
import { createVersion } from "../support/operations";
import { startServer, type TestServer } from "../support/server";

// The release commands of the `waymark` CLI (diff, dry runs, staging, pins, flags), run as a CI
// job runs them: a child process against a server on MariaDB.

describe("waymark release commands on mysql", () => {
  let server: TestServer;
  let dir: string;
  const waymark = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(server.url, dir, args, env);

  beforeAll(async () => {
    server = await startServer("mysql");
    dir = mkdtempSync(join(tmpdir(), "waymark-cli-release-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("diff prints the changes between numbers, names and live, as text and JSON", async () => {
    await createVersion(server, { flowName: "cli", name: "diff", version: "first", parameters: { a: 1, "x/y": "old" } });
    await createVersion(server, { flowName: "cli", name: "diff", version: "second", parameters: { a: 2, b: true } });
    const text = await waymark(["diff", "cli/diff", "1", "live"]);
    expect(text, text.stderr).toMatchObject({ code: 0 });
    expect(text.stdout).toBe(
      'version 1 "first" → version 2 "second": 3 changes\n  ~ /parameters/a: 1 → 2\n  - /parameters/x~1y: "old"\n  + /parameters/b: true\n',
    );
    const json = await waymark(["diff", "cli/diff", "second", "first", "--json"]);
    expect(json, json.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(json.stdout)).toMatchObject({ identical: false, from: { number: 2 }, to: { number: 1 } });
    const same = await waymark(["diff", "cli/diff", "2", "2"]);
    expect(same.stdout).toBe('version 2 "second" → version 2 "second": identical content\n');
    const missing = await waymark(["diff", "cli/diff", "1", "9"]);
    expect(missing).toMatchObject({ code: 3 });
    expect(missing.stderr).toMatch(/VERSION_NOT_FOUND/);
  });

  it("rollback --dry-run prints the target and the diff loudly and moves nothing", async () => {
    await createVersion(server, { flowName: "cli", name: "dry", parameters: { a: 1 } });
    await createVersion(server, { flowName: "cli", name: "dry", parameters: { a: 2 } });
    const run = await waymark(["rollback", "cli/dry", "--dry-run"]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^DRY RUN, nothing changed: rollback cli\/dry would make version 1 "v1" \(id ver_\d+\) live, replacing version 2 "v2"\n/);
    expect(run.stdout).toContain("~ /parameters/a: 2 → 1");
    const json = await waymark(["rollback", "cli/dry", "--to", "1", "--dry-run", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: "chg_0", liveVersion: { number: 1 }, diff: { changes: [{ path: "/parameters/a" }] } });
    const refused = await waymark(["promote", "cli/dry", "--to", "2", "--dry-run"]);
    expect(refused).toMatchObject({ code: 3 });
    expect(refused.stderr).toMatch(/ALREADY_LIVE/);
    const state = await server.gql(`{ deploymentByName(flowName: "cli", name: "dry") { liveVersion { number } liveHistory { totalCount } } }`);
    expect(state.data.deploymentByName).toEqual({ liveVersion: { number: 2 }, liveHistory: { totalCount: 2 } });
  });

  const deployDir = (name: string, entrypoint: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "prefect.yaml"), `deployments:\n- name: ${name}\n  entrypoint: ${entrypoint}\n  flow_name: cli\n`);
    return path;
  };
  const inDir = (cwd: string, args: string[]) => runCli(server.url, cwd, args);

  it("deploy --no-live records the version, says loudly it is not live and how to make it live", async () => {
    const cwd = deployDir("staged", "flows/a.py:main");
    expect((await inDir(cwd, ["deploy"])).code).toBe(0);
    writeFileSync(join(cwd, "prefect.yaml"), "deployments:\n- name: staged\n  entrypoint: flows/b.py:main\n  flow_name: cli\n");
    const run = await inDir(cwd, ["deploy", "--no-live"]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/live: {3}no \(version 1 "v1" is live\)/);
    expect(run.stderr).toContain('waymark: NOT LIVE: version 2 "v2" of cli/staged was recorded but is not live (--no-live); version 1 "v1" stays live.');
    expect(run.stderr).toContain("waymark: to make it live: waymark promote cli/staged --to 2\n");
    const promoted = await inDir(cwd, ["promote", "cli/staged", "--to", "2"]);
    expect(promoted, promoted.stderr).toMatchObject({ code: 0 });
  });

  it("pin keeps deploys from going live: deploy says so on stderr, exits 0, or 4 with --require-live; promote --unpin moves", async () => {
    const cwd = deployDir("pinned", "flows/a.py:main");
    expect((await inDir(cwd, ["deploy"])).code).toBe(0);
    const pinned = await inDir(cwd, ["pin", "cli/pinned", "--reason", "freeze"]);
    expect(pinned.stdout).toBe('cli/pinned: pinned to version 1 "v1" by bootstrap-admin\n');
    writeFileSync(join(cwd, "prefect.yaml"), "deployments:\n- name: pinned\n  entrypoint: flows/b.py:main\n  flow_name: cli\n");
    const run = await inDir(cwd, ["deploy"]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stderr).toContain("cli/pinned is PINNED to version 1");
    expect(run.stderr).toContain("waymark promote cli/pinned --to 2 --unpin");
    writeFileSync(join(cwd, "prefect.yaml"), "deployments:\n- name: pinned\n  entrypoint: flows/c.py:main\n  flow_name: cli\n");
    expect((await inDir(cwd, ["deploy", "--require-live"])).code).toBe(4);
    expect((await inDir(cwd, ["promote", "cli/pinned", "--to", "2"])).stderr).toMatch(/DEPLOYMENT_PINNED/);
    const moved = await inDir(cwd, ["promote", "cli/pinned", "--to", "2", "--unpin"]);
    expect(moved, moved.stderr).toMatchObject({ code: 0 });
    expect((await inDir(cwd, ["unpin", "cli/pinned"])).stdout).toBe('cli/pinned: not pinned; version 2 "v2" is live (unchanged)\n');
  });

  it("deploy --skip-unchanged creates nothing when the content equals the live version's", async () => {
    const cwd = deployDir("skip", "flows/a.py:main");
    expect((await inDir(cwd, ["deploy"])).code).toBe(0);
    const run = await inDir(cwd, ["deploy", "--skip-unchanged"]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^Unchanged \(nothing created\) cli\/skip: version 1 "v1"/);
    const state = await server.gql(`{ deploymentByName(flowName: "cli", name: "skip") { versionCount } }`);
    expect(state.data.deploymentByName.versionCount).toBe(1);
  });

  it("flag --bad makes the default rollback skip the version; --ok lifts it", async () => {
    for (const n of [1, 2, 3]) await createVersion(server, { flowName: "cli", name: "flag", parameters: { n } });
    const flagged = await waymark(["flag", "cli/flag", "2", "--bad", "--reason", "broken"]);
    expect(flagged, flagged.stderr).toMatchObject({ code: 0, stdout: 'cli/flag: version 2 "v2" is flagged BAD (by bootstrap-admin)\n' });
    expect((await waymark(["flag", "cli/flag", "2"])).code).toBe(2);
    const rolled = await waymark(["rollback", "cli/flag", "--json"]);
    expect(JSON.parse(rolled.stdout)).toMatchObject({ liveVersion: { number: 1 } });
    expect((await waymark(["flag", "cli/flag", "2", "--ok"])).stdout).toContain("is flagged OK");
  });
});

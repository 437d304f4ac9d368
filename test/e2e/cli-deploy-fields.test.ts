import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Run } from "../support/cli";
import { startServer, type TestServer } from "../support/server";

// `waymark deploy` reading a real-looking prefect.yaml the way Prefect 3 does, end to end through the
// built CLI against a server on MariaDB: flow names from the code, YAML 1.1, schedule, nulls,
// deploy-time placeholders, Prefect's default pull step, and every key that is not stored reported.

const FLOWS = {
  "flows/etl.py": `from prefect import flow\n\n@flow(name="Nightly ETL", retries=2)\ndef nightly_etl(days: int = 1):\n    ...\n`,
  "flows/bare.py": `from prefect import flow\n\n@flow\ndef load_data():\n    ...\n`,
  "flows/constant.py": `from prefect import flow\nSOME_CONSTANT = "etl"\n\n@flow(name=SOME_CONSTANT)\ndef report_flow():\n    ...\n`,
  "pkg/__init__.py": "",
  "pkg/cleanup.py": `import prefect\n\n@prefect.flow(name="Cleanup")\nasync def cleanup():\n    ...\n`,
};

// As the docs write a multi-deployment file: shared definitions, a singular schedule, YAML 1.1
// booleans, nulls from `prefect init`, a trigger and an SLA Waymark does not keep.
const PREFECT_YAML = `
name: analytics
prefect-version: 3.1.0
definitions:
  pool: &pool
    name: "{{ prefect.variables.pool }}"
    job_variables:
      image: "{{ prefect.variables.image }}"
      env: { RUN_NAME: "{{ flow_run.name }}" }
deployments:
- name: nightly
  entrypoint: flows/etl.py:nightly_etl
  flow_name: null
  tags: null
  parameters: null
  description: "Loads {{ prefect.variables.warehouse }}"
  schedule: { cron: "0 2 * * *", timezone: UTC }
  paused: yes
  concurrency_limit: { limit: 1, collision_strategy: CANCEL_NEW, grace_period_seconds: 60 }
  work_pool: *pool
  triggers:
  - enabled: true
    match: { prefect.resource.id: my.external.resource }
    expect: [external.resource.pinged]
- name: hourly
  entrypoint: flows/bare.py:load_data
  version_type: simple
  schedules: [{ interval: 1:00:00 }]
  work_pool: { name: local }
- name: report
  entrypoint: flows/constant.py:report_flow
  work_pool: { name: local }
  sla: [{ name: too-slow, duration: 600 }]
- name: cleanup
  entrypoint: pkg.cleanup:cleanup
  work_pool: { name: local }
`;

describe("waymark deploy reads prefect.yaml fields as Prefect 3 does, on mysql", () => {
  let server: TestServer;
  let dir: string;
  const waymark = (args: string[], env: Record<string, string> = {}): Promise<Run> => runCli(server.url, dir, args, env);
  const VARIABLES = ["--variable", "pool=k8s", "--variable", "warehouse=the warehouse"];
  const GITHUB = {
    GITHUB_ACTIONS: "true",
    GITHUB_SHA: "a".repeat(40),
    GITHUB_REPOSITORY: "o/r",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "7",
    GITHUB_RUN_ATTEMPT: "1",
  };

  const deployment = async (flowName: string, name: string) => {
    const result = await server.gql(
      `query($f: String!, $n: String!) { deploymentByName(flowName: $f, name: $n) {
        paused schedules concurrencyLimit concurrencyOptions versionCount
        liveVersion { description tags parameters workPoolName jobVariables pullSteps sourceInfo { type } } } }`,
      { f: flowName, n: name },
    );
    return result.data?.deploymentByName ?? null;
  };

  beforeAll(async () => {
    server = await startServer("mysql");
    dir = mkdtempSync(join(tmpdir(), "waymark-cli-fields-"));
    for (const [path, text] of Object.entries(FLOWS)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(join(dir, "prefect.yaml"), PREFECT_YAML);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a deploy whose concrete fields need a --variable, naming the field and the flag, creating nothing", async () => {
    const run = await waymark(["deploy"], GITHUB);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "deployments[0].work_pool.name: {{ prefect.variables.pool }} must be known when the version is created: pass --variable pool=VALUE",
    );
    expect(run.stderr).toContain("deployments[0].description: {{ prefect.variables.warehouse }}");
    expect(await deployment("Nightly ETL", "nightly")).toBeNull();
  });

  it("refuses with --strict every key it would not store, creating nothing", async () => {
    const run = await waymark(["deploy", "--strict", ...VARIABLES], GITHUB);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("deployments[0].triggers is not stored");
    expect(run.stderr).toContain("deployments[2].sla is not stored");
    expect(run.stderr).toContain("name=SOME_CONSTANT");
    expect(await deployment("Nightly ETL", "nightly")).toBeNull();
  });

  it("deploys every deployment under the flow name Prefect registers, with the fields Prefect would send", async () => {
    const run = await waymark(["deploy", ...VARIABLES], GITHUB);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: "" });
    for (const name of ["Nightly ETL/nightly", "load-data/hourly", "report-flow/report", "Cleanup/cleanup"]) {
      expect(run.stdout).toContain(`Deployed ${name}: version 1`);
    }
    expect(run.stdout).toContain("warning: deployments[0].triggers is not stored");
    expect(run.stdout).toContain("warning: deployments[0].pull: none in the file and an image is set, so the working directory is /opt/prefect");
    expect(run.stdout).toContain(
      "warning: deployments[0].work_pool.job_variables.env.RUN_NAME: {{ flow_run.name }} cannot be resolved at deploy time; field dropped",
    );
    expect(run.stdout).toMatch(/warning: deployments\[2\]\.entrypoint: .*name=SOME_CONSTANT.*flow name "report-flow" taken from the function name/);

    const nightly = await deployment("Nightly ETL", "nightly");
    expect(nightly).toMatchObject({
      paused: true,
      schedules: [{ cron: "0 2 * * *", timezone: "UTC" }],
      concurrencyLimit: 1,
      concurrencyOptions: { collision_strategy: "CANCEL_NEW", grace_period_seconds: 60 },
      liveVersion: {
        description: "Loads the warehouse",
        tags: [],
        parameters: {},
        workPoolName: "k8s",
        jobVariables: { image: "{{ prefect.variables.image }}", env: {} },
        // An image and no build step: Prefect's default working directory inside the image.
        pullSteps: [{ "prefect.deployments.steps.set_working_directory": { directory: "/opt/prefect" } }],
        sourceInfo: { type: "GITHUB" },
      },
    });
    const hourly = await deployment("load-data", "hourly");
    expect(hourly).toMatchObject({
      schedules: [{ interval: 3600 }],
      liveVersion: {
        pullSteps: [{ "prefect.deployments.steps.set_working_directory": { directory: realpathSync(dir) } }],
        sourceInfo: { type: "SIMPLE" },
      },
    });
  });

  it("lists the warnings per deployment in --json output", async () => {
    const run = await waymark(["deploy", "--json", "--name", "report", ...VARIABLES], { ...GITHUB, GITHUB_RUN_ID: "8" });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const output = JSON.parse(run.stdout);
    expect(output.warnings).toEqual([]);
    expect(output.deployed).toHaveLength(1);
    expect(output.deployed[0].deployment).toMatchObject({ flowName: "report-flow", name: "report" });
    expect(output.deployed[0].warnings).toEqual([
      "deployments[2].sla is not stored (Waymark keeps no SLAs; create them in Prefect); ignored",
      expect.stringMatching(/^deployments\[2\]\.entrypoint: .*name=SOME_CONSTANT/),
    ]);
  });

  it("refuses a version_type the environment cannot give, naming the key rather than the flag", async () => {
    writeFileSync(join(dir, "gitlab.yaml"), `deployments:\n- name: gl\n  entrypoint: flows/bare.py:load_data\n  version_type: vcs:gitlab\n`);
    const run = await waymark(["deploy", "--file", "gitlab.yaml"], GITHUB);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^waymark: version_type vcs:gitlab: /);
    expect(await deployment("load-data", "gl")).toBeNull();
  });

  it("refuses both schedule and schedules, as Prefect 3 does", async () => {
    writeFileSync(
      join(dir, "both.yaml"),
      `deployments:\n- name: both\n  entrypoint: flows/bare.py:load_data\n  schedule: { cron: "0 0 * * *" }\n  schedules: [{ cron: "0 1 * * *" }]\n`,
    );
    const run = await waymark(["deploy", "--file", "both.yaml"], GITHUB);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("deployments[0] has both schedule and schedules; use only schedules (a list)");
    expect(await deployment("load-data", "both")).toBeNull();
  });
});

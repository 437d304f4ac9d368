import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDeploymentFile } from "../../../src/cli/deploy-file";
import { prepareDeployments } from "../../../src/cli/deploy/steps";
import { run } from "../../../src/cli/run";
import { data, fakeFetch } from "./fake-fetch";
import { noGit } from "./fake-git";
import { problemsOf } from "./usage-problems";

/**
 * More prefect.yaml files as public repositories have them (trimmed), each read as Prefect 3's
 * `prefect deploy` reads it (src/prefect/cli/deploy/_core.py and _models.py in PrefectHQ/prefect).
 */
const ONE = "deployments:\n- name: d\n  entrypoint: flows.py:main\n";
const load = (text: string, env: Record<string, string> = {}) => loadDeploymentFile(text, { env });
const draftOf = (text: string, env: Record<string, string> = {}) => load(text, env).deployments[0]?.draft;

describe("deploy: concurrency_limit as a mapping without a limit", () => {
  // wonkothesanest/prefect_data_getters: only a collision strategy. Prefect reads `limit` as None
  // (ConcurrencyLimitSpec.limit is optional) and keeps the strategy as the concurrency options.
  it("reads the limit as none and keeps the strategy", () => {
    const draft = draftOf(`${ONE}  concurrency_limit:\n    collision_strategy: CANCEL_NEW\n`);
    expect(draft?.settings).toMatchObject({ concurrencyLimit: null, concurrencyOptions: { collision_strategy: "CANCEL_NEW" } });
  });

  it("still refuses a limit that is not a non-negative integer", () => {
    expect(problemsOf(() => load(`${ONE}  concurrency_limit:\n    limit: -1\n`))).toEqual([
      "deployments[0].concurrency_limit must have `limit`: a non-negative integer or null",
    ]);
  });
});

describe("deploy: a flow decorator imported under another name, as Prefect (which imports the module) sees it", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function loadWithCode(code: string) {
    const cwd = mkdtempSync(join(tmpdir(), "waymark-alias-"));
    dirs.push(cwd);
    writeFileSync(join(cwd, "flows.py"), code);
    return loadDeploymentFile(ONE, { env: {}, workingDirectory: cwd }).deployments[0];
  }

  it("reads `from prefect import flow as prefect_flow` (fairtracks/omnipy_examples)", () => {
    const loaded = loadWithCode('from prefect import flow as prefect_flow\n\n@prefect_flow\ndef main():\n    """Run it."""\n');
    expect(loaded?.draft).toMatchObject({ flowName: "main", description: "Run it." });
    expect(loaded?.warnings).toEqual([]);
    expect(loadWithCode('from prefect import flow as pf\n\n@pf(name="Nightly ETL")\ndef main():\n    pass\n')?.draft.flowName).toBe("Nightly ETL");
  });

  it("reads `from prefect import Flow` used as `@Flow` (AMaldu/fraud_detection)", () => {
    const loaded = loadWithCode('from prefect import Flow, task\n\n@Flow\ndef main():\n    """Train."""\n');
    expect(loaded?.draft).toMatchObject({ flowName: "main", description: "Train." });
    expect(loaded?.warnings).toEqual([]);
  });

  it("reads `import prefect as pf` used as `@pf.flow(name=...)`", () => {
    expect(loadWithCode('import prefect as pf\n\n@pf.flow(name="Nightly ETL")\ndef main():\n    pass\n')?.draft.flowName).toBe("Nightly ETL");
  });

  it("still takes a decorator that is not Prefect's as no flow", () => {
    const loaded = loadWithCode("from other import flow as prefect_flow\n\n@prefect_flow(name='x')\ndef main():\n    pass\n");
    expect(loaded?.draft.flowName).toBe("main");
    expect(loaded?.warnings).toEqual([expect.stringMatching(/has no @flow decorator/)]);
  });
});

describe("deploy: refusals that say what Prefect would have done", () => {
  it("refuses tags written as one text, saying Prefect would store each character as a tag", () => {
    // AbderrahimAl/Bucket2Elasticsearch: `tags: dev`. Prefect's ListOfNonEmptyStrings iterates the text.
    expect(problemsOf(() => load(`${ONE}  tags: dev\n`))).toEqual([
      'deployments[0].tags must be a list of strings: write tags: [dev] (Prefect would store each character of "dev" as a tag: "d", "e", "v")',
    ]);
  });

  it("names a pull step whose arguments are not indented under it, before what follows from it", () => {
    // CBIIT/EntryRemoval-Prefect: the step's arguments at the step's own level, so the step has no
    // inputs and no id; Prefect stores it and fails every run ("Step has unexpected additional keys").
    const text = `${ONE}  pull:
    - prefect.deployments.steps.git_clone:
      id: clone-step
      repository: https://github.com/CBIIT/EntryRemoval-Prefect.git
    - prefect.deployments.steps.pip_install_requirements:
        directory: "{{ clone-step.directory }}"
`;
    expect(problemsOf(() => load(text))).toEqual([
      "deployments[0].pull[0] has the keys prefect.deployments.steps.git_clone, id, repository: indent the step's arguments under prefect.deployments.steps.git_clone (Prefect would fail every run: Step has unexpected additional keys)",
      expect.stringMatching(/^deployments\[0\]\.pull\[1\].*\{\{ clone-step\.directory \}\}/),
    ]);
  });
});

describe("deploy: build, push and pull sections as Prefect 3 picks them", () => {
  // PrefectHQ/prefect, src/prefect/cli/deploy/_core.py: `push_steps or actions.get("push")` runs the
  // file's push when the deployment's is empty; _models.py wraps a single step mapping in a list.
  async function prepare(text: string) {
    const commands: string[] = [];
    const run = async (program: string, args: readonly string[]) => {
      commands.push([program, ...args].join(" "));
      return { code: 0, stdout: `${args.join(" ")}\n`, stderr: "" };
    };
    const context = { env: {}, cwd: tmpdir(), run, log: () => {}, now: () => new Date(0), docker: "docker", pushed: new Map<string, string>() };
    const stepOptions = { env: {}, skipBuild: false, skipPush: false, stepOutputs: [], allowEmpty: [] };
    const file = await prepareDeployments(text, { env: {} }, stepOptions, context);
    return { draft: file.deployments[0]?.draft, commands };
  }
  const SHELL = "prefect.deployments.steps.run_shell_script";

  it.each(["null", "[]", "{}"])("runs no push for a deployment whose push is %s, as it says (Prefect would run the file's)", async (own) => {
    const text = `push:\n- ${SHELL}:\n    id: up\n    script: echo pushed\n${ONE}  push: ${own}\n`;
    const { draft, commands } = await prepare(text);
    expect(commands).toEqual([]);
    expect(draft).toBeDefined();
  });

  it("still takes a deployment's build: null as no build", async () => {
    const text = `build:\n- ${SHELL}:\n    script: echo built\n${ONE}  build: null\n`;
    expect((await prepare(text)).commands).toEqual([]);
  });

  it("runs a build or push section written as one step mapping, and takes {} as none", async () => {
    const text = `build:\n  ${SHELL}:\n    id: b\n    script: echo built\npush: {}\n${ONE}  parameters:\n    at: "{{ b.stdout }}"\n`;
    const { draft, commands } = await prepare(text);
    expect(commands).toEqual(["echo built"]);
    expect(draft?.parameters).toEqual({ at: "built" });
  });

  it("takes a deployment's pull: {} as no pull of its own: the file's applies", () => {
    const text = `pull:\n- prefect.deployments.steps.set_working_directory:\n    directory: /app\n${ONE}  pull: {}\n`;
    expect(draftOf(text)?.pullSteps).toEqual([{ "prefect.deployments.steps.set_working_directory": { directory: "/app" } }]);
  });
});

describe("deploy: Prefect 2.10's prefect.projects steps, which Prefect 3 cannot import", () => {
  it("refuses them, naming the prefect.deployments.steps name to write", async () => {
    // NitinKeshavB/prefect_acr: `prefect.projects.steps.run_shell_script`, from the Prefect 2.10 projects beta.
    const text = `build:\n- prefect.projects.steps.run_shell_script:\n    id: get-commit-hash\n    script: git rev-parse --short HEAD\n${ONE}`;
    const context = {
      env: {},
      cwd: tmpdir(),
      run: async () => ({ code: 0, stdout: "", stderr: "" }),
      log: () => {},
      now: () => new Date(0),
      docker: "docker",
      pushed: new Map<string, string>(),
    };
    const stepOptions = { env: {}, skipBuild: false, skipPush: false, stepOutputs: [], allowEmpty: [] };
    const problems = await prepareDeployments(text, { env: {} }, stepOptions, context).then(
      () => [],
      (error: { problems?: string[] }) => error.problems ?? [],
    );
    expect(problems).toEqual([
      "build[0]: Prefect 3 has no prefect.projects.steps.run_shell_script (Prefect 2.10's name); write prefect.deployments.steps.run_shell_script",
    ]);
  });
});

describe("deploy: a deployment repeated in the file", () => {
  // wonkothesanest/prefect_data_getters: "Gmail Flow" twice, as `prefect deploy` appended it. Prefect
  // deploys both in order, the second replacing the first: what stays is the last.
  const FILE = `deployments:
- name: Gmail Flow
  entrypoint: gmail_backup.py:gmail_flow
  parameters: { days_ago: 4 }
- name: Other
  entrypoint: other.py:other
- name: Gmail Flow
  entrypoint: gmail_backup.py:gmail_flow
  parameters: {}
`;

  it("deploys the last of them, as Prefect's later deploy replaces the earlier, with a warning", () => {
    const { deployments, warnings } = load(FILE);
    expect(deployments.map((d) => [d.draft.name, d.draft.parameters])).toEqual([
      ["Other", undefined],
      ["Gmail Flow", {}],
    ]);
    expect(warnings).toEqual([
      "deployments[0] (gmail-flow/Gmail Flow) is replaced by deployments[2] of the same flow and name; only the last is deployed, as Prefect's later deploy replaces the earlier",
    ]);
  });

  it("makes it an error under --strict", () => {
    expect(problemsOf(() => loadDeploymentFile(FILE, { env: {}, strict: true }))).toEqual([
      expect.stringMatching(/^deployments\[0\] \(gmail-flow\/Gmail Flow\) is replaced by deployments\[2\]/),
    ]);
  });
});

describe("deploy ENTRYPOINT, as prefect deploy ENTRYPOINT --name NAME takes the flow from the command line", () => {
  // Cam0505/CamOnPrefect: deployments without an entrypoint, each deployed as
  // `prefect deploy pipelines/fbi.py:fbi_flow --name fbi-deployment`.
  const FILE = `deployments:
- name: fbi-deployment
  tags: [fbi]
  work_pool: { name: camprocess1 }
- name: beverages-deployment
  tags: [beverages]
`;
  const loadWith = (text: string, names: string[], entrypoint: string) => loadDeploymentFile(text, { env: {}, names, entrypointOverride: entrypoint });

  it("gives the one deployment selected the entrypoint, its flow name from it", () => {
    const { deployments } = loadWith(FILE, ["fbi-deployment"], "pipelines/fbi.py:fbi_flow");
    expect(deployments.map((d) => d.draft)).toEqual([
      expect.objectContaining({ name: "fbi-deployment", entrypoint: "pipelines/fbi.py:fbi_flow", flowName: "fbi-flow", tags: ["fbi"] }),
    ]);
  });

  it("is ignored with a warning when several are selected, as Prefect ignores options then", () => {
    const text = "deployments:\n- { name: a, entrypoint: a.py:a }\n- { name: b, entrypoint: b.py:b }\n";
    const { deployments, warnings } = loadWith(text, [], "pipelines/fbi.py:fbi_flow");
    expect(deployments.map((d) => d.draft.entrypoint)).toEqual(["a.py:a", "b.py:b"]);
    expect(warnings).toEqual([
      "the entrypoint argument is ignored: 2 deployments are selected, and it is for one (prefect deploy ignores it too); select one with --name",
    ]);
  });

  it("deploys from a file whose deployments: is empty, as Prefect deploys its default one under --name", () => {
    // prefeitura-rio/prefect_rj_iplanrio: `deployments: []` with the build, push and pull sections kept.
    const text = "pull:\n- prefect.deployments.steps.set_working_directory:\n    directory: /opt/prefect/app\ndeployments: []\n";
    const { deployments } = loadWith(text, ["nightly"], "flows/etl.py:run_etl");
    expect(deployments[0]?.draft).toMatchObject({ name: "nightly", entrypoint: "flows/etl.py:run_etl", flowName: "run-etl" });
    expect(deployments[0]?.draft.pullSteps).toEqual([{ "prefect.deployments.steps.set_working_directory": { directory: "/opt/prefect/app" } }]);
  });

  it("takes the entrypoint as the command's argument", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "waymark-entry-"));
    try {
      writeFileSync(join(cwd, "prefect.yaml"), FILE);
      const fetch = fakeFetch(data({ createVersion: { dryRun: true } }));
      const io = { env: {}, cwd, fetch, git: noGit, sleep: async () => {}, stdout: () => {}, stderr: () => {} };
      const argv = ["deploy", "pipelines/fbi.py:fbi_flow", "--name", "fbi-deployment", "--dry-run", "--json", "--api-url", "http://w.test"];
      expect(await run(argv, io)).toBe(0);
      expect(fetch.requests.map((r) => r.body.variables.input)).toEqual([
        expect.objectContaining({ name: "fbi-deployment", entrypoint: "pipelines/fbi.py:fbi_flow", flowName: "fbi-flow" }),
      ]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe("deploy: schedule keys Prefect does not read", () => {
  // Honglin-Jiang/ba882-sec-team (as Prefect 3.0's `prefect deploy` wrote it back) and
  // prefeitura-rio/prefect_rj_iplanrio (flow_run_name on each of many schedules). Prefect builds each
  // schedule from its own keys only (_schedule_config_to_deployment_schedule), so the others are never stored.
  it("drops them with one warning per key, and keeps the keys Prefect reads", () => {
    const text = `${ONE}  schedules:
  - rrule: FREQ=DAILY;BYHOUR=8;BYMINUTE=0
    timezone: America/New_York
    active: true
    max_active_runs:
    catchup: false
  - interval: 3600
    anchor_date: "2025-07-15T01:00:00"
    slug: hourly
    parameters: { table: a }
    catchup: false
`;
    const { deployments } = load(text);
    expect(deployments[0]?.draft.settings?.schedules).toEqual([
      { rrule: "FREQ=DAILY;BYHOUR=8;BYMINUTE=0", timezone: "America/New_York", active: true },
      { interval: 3600, anchor_date: "2025-07-15T01:00:00", slug: "hourly", parameters: { table: "a" } },
    ]);
    expect(deployments[0]?.warnings).toEqual([
      "deployments[0].schedules[0].max_active_runs is not stored (not a schedule key Prefect reads); ignored",
      "deployments[0].schedules[0].catchup (and in 1 more schedule) is not stored (not a schedule key Prefect reads); ignored",
    ]);
  });
});

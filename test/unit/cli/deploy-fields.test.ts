import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDeploymentFile, type LoadDeploymentsOptions } from "../../../src/cli/deploy-file";
import { parseVariableFlags } from "../../../src/cli/deploy/deploy-time";
import { pyYamlTags } from "../../../src/cli/deploy/yaml11";
import { UsageError } from "../../../src/cli/errors";
import { problemsOf } from "./usage-problems";

// Fields of prefect.yaml read as Prefect 3's `prefect deploy` reads them (PrefectHQ/prefect,
// src/prefect/cli/deploy/_config.py, _core.py, _actions.py), with fixtures from its recipes and docs.

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "waymark-fields-"));
  writeFileSync(join(cwd, "flows.py"), "from prefect import flow\n\n@flow\ndef etl(): ...\n");
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const load = (text: string, options: Partial<LoadDeploymentsOptions> = {}) => loadDeploymentFile(text, { env: {}, workingDirectory: cwd, ...options });
const one = (deployment: string, options: Partial<LoadDeploymentsOptions> = {}) =>
  load(`deployments:\n- name: d\n  entrypoint: flows.py:etl\n${deployment}`, options).deployments[0];

describe("deploy-time placeholders: {{ prefect.variables.* }} and {{ prefect.blocks.* }}", () => {
  const FILE = `
deployments:
- name: "{{ prefect.variables.deployment_name }}"
  entrypoint: flows.py:etl
  version: "{{ prefect.variables.release }}"
  tags: ["{{ prefect.variables.team }}", fixed]
  description: "Owned by {{ prefect.variables.team }}"
  parameters: { db: "{{ prefect.blocks.secret.db-name }}", days: 3 }
  schedules: [{ cron: "{{ prefect.variables.cron }}" }]
  work_pool:
    name: "{{ prefect.variables.pool }}"
    work_queue_name: "{{ prefect.variables.queue }}"
    job_variables:
      image: "{{ prefect.variables.image }}"
      token: "{{ prefect.blocks.secret.registry-token }}"
  pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/o/r.git
      access_token: "{{ prefect.blocks.secret.github-token }}"
`;
  const VARIABLES = parseVariableFlags([
    "deployment_name=nightly",
    "release=1.4.0",
    "team=data",
    "cron=0 2 * * *",
    "pool=k8s",
    "queue=high",
    "prefect.blocks.secret.db-name=warehouse",
  ]);

  it("resolves them from --variable in every field that is concrete at create time, and keeps them in job variables and pull steps", () => {
    const { draft, warnings } = load(FILE, { variables: VARIABLES }).deployments[0]!;
    expect(warnings).toEqual([]);
    expect(draft).toMatchObject({
      name: "nightly",
      version: "1.4.0",
      tags: ["data", "fixed"],
      description: "Owned by data",
      parameters: { db: "warehouse", days: 3 },
      workPoolName: "k8s",
      workQueueName: "high",
      jobVariables: { image: "{{ prefect.variables.image }}", token: "{{ prefect.blocks.secret.registry-token }}" },
      pullSteps: [{ "prefect.deployments.steps.git_clone": expect.objectContaining({ access_token: "{{ prefect.blocks.secret.github-token }}" }) }],
      settings: { schedules: [{ cron: "0 2 * * *" }] },
    });
  });

  it("fails the deploy without them, naming each field and the flag, and never stores the placeholder text", () => {
    const problems = problemsOf(() => load(FILE, { variables: parseVariableFlags(["team=data"]) }));
    expect(problems).toEqual([
      "deployments[0].name: {{ prefect.variables.deployment_name }} must be known when the version is created: pass --variable deployment_name=VALUE",
      "deployments[0].version: {{ prefect.variables.release }} must be known when the version is created: pass --variable release=VALUE",
      "deployments[0].parameters.db: {{ prefect.blocks.secret.db-name }} must be known when the version is created: pass --variable prefect.blocks.secret.db-name=VALUE",
      "deployments[0].schedules[0].cron: {{ prefect.variables.cron }} must be known when the version is created: pass --variable cron=VALUE",
      "deployments[0].work_pool.name: {{ prefect.variables.pool }} must be known when the version is created: pass --variable pool=VALUE",
      "deployments[0].work_pool.work_queue_name: {{ prefect.variables.queue }} must be known when the version is created: pass --variable queue=VALUE",
    ]);
  });

  it("needs no value for a field a flag replaces", () => {
    const loaded = one(`  version: "{{ prefect.variables.release }}"\n  flow_name: "{{ prefect.variables.flow }}"\n`, {
      versionOverride: "2.0",
      flowNameOverride: "etl",
    });
    expect(loaded?.draft).toMatchObject({ version: "2.0", flowName: "etl" });
  });

  it("refuses an output of a build or push step that has not run, rather than dropping it", () => {
    // Prefect's docker recipe, filled in: the image comes from the build step's outputs.
    const DOCKER_RECIPE = `
build:
  - prefect_docker.deployments.steps.build_docker_image:
      id: build_image
      requires: prefect-docker>=0.3.1
      image_name: my-registry/etl
      tag: latest
      dockerfile: auto
push:
  - prefect_docker.deployments.steps.push_docker_image:
      id: push_image
      requires: prefect-docker>=0.3.1
      image_name: "{{ build_image.image_name }}"
      tag: "{{ build_image.tag }}"
deployments:
  - name: nightly
    entrypoint: flows.py:etl
    version: "{{ push_image.digest }}"
    work_pool: { name: docker-pool, job_variables: { image: "{{ build_image.image }}" } }
`;
    expect(problemsOf(() => load(DOCKER_RECIPE))).toEqual([
      'deployments[0].version: {{ push_image.digest }} is an output of the push step "push_image", which has not run',
      'deployments[0].work_pool.job_variables.image: {{ build_image.image }} is an output of the build step "build_image", which has not run',
    ]);
  });

  it("reads --variable as NAME=VALUE, prefect.variables.NAME=VALUE or a whole prefect.blocks expression", () => {
    expect([...parseVariableFlags(["a=1=2", "prefect.variables.b=", "prefect.blocks.secret.c=x"])]).toEqual([
      ["prefect.variables.a", "1=2"],
      ["prefect.variables.b", ""],
      ["prefect.blocks.secret.c", "x"],
    ]);
    expect(() => parseVariableFlags(["novalue"])).toThrow(UsageError);
    expect(() => parseVariableFlags(["=x"])).toThrow(/--variable "=x" must be NAME=VALUE/);
  });

  it("drops other placeholders Prefect cannot resolve at deploy time, with a warning, and keeps {{ ctx.* }}", () => {
    const loaded = one(`  description: "run {{ flow_run.name }} now"
  work_pool:
    name: pool
    job_variables:
      name: "{{ flow_run.name }}"
      env: { RUN: "{{ flow_run.id }}", KEEP: "{{ ctx.flow_run.id }}" }
      args: ["--x", "{{ flow_run.name }}"]
`);
    expect(loaded?.draft).toMatchObject({ description: "run  now", jobVariables: { env: { KEEP: "{{ ctx.flow_run.id }}" }, args: ["--x"] } });
    expect(loaded?.draft.jobVariables).not.toHaveProperty("name");
    expect(loaded?.warnings).toEqual([
      "deployments[0].description: {{ flow_run.name }} cannot be resolved at deploy time; removed from the text, as Prefect does",
      "deployments[0].work_pool.job_variables.name: {{ flow_run.name }} cannot be resolved at deploy time; field dropped, as Prefect does",
      "deployments[0].work_pool.job_variables.env.RUN: {{ flow_run.id }} cannot be resolved at deploy time; field dropped, as Prefect does",
      "deployments[0].work_pool.job_variables.args[1]: {{ flow_run.name }} cannot be resolved at deploy time; field dropped, as Prefect does",
    ]);
  });
});

describe("schedule: and schedules: (Prefect 3)", () => {
  it("turns a singular schedule into schedules: [it]", () => {
    expect(one(`  schedule: { cron: "0 0 * * *", timezone: America/Chicago }\n`)?.draft.settings).toEqual({
      schedules: [{ cron: "0 0 * * *", timezone: "America/Chicago" }],
    });
  });

  it("ignores an empty or null schedule, as the recipes write it (schedule: {})", () => {
    expect(one(`  schedule: {}\n`)?.draft).not.toHaveProperty("settings");
    expect(one(`  schedule: null\n  schedules: [{ interval: 600 }]\n`)?.draft.settings).toEqual({ schedules: [{ interval: 600 }] });
  });

  it("refuses both keys, or a list under schedule:", () => {
    expect(problemsOf(() => one(`  schedule: { cron: "0 0 * * *" }\n  schedules: []\n`))).toEqual([
      "deployments[0] has both schedule and schedules; use only schedules (a list)",
    ]);
    expect(problemsOf(() => one(`  schedule: [{ cron: "0 0 * * *" }]\n`))).toEqual([
      "deployments[0].schedule must be one schedule (a mapping); for several, use schedules: [...]",
    ]);
  });
});

describe("nothing ignored silently", () => {
  const FILE = `
prefect-version: 3.1.0
name: my-project
description: from the docker recipe
required_inputs: { tag: "The tag" }
definitions: { tags: &tags [a] }
deployments:
- name: d
  entrypoint: flows.py:etl
  tags: *tags
  triggers: [{ enabled: true, match: { prefect.resource.id: my.resource } }]
  sla: [{ name: my-sla, duration: 10 }]
  job_variables: { image: x }
  is_paused: true
  owner: me
  work_pool: { name: p, work_queue: q }
  concurrency_limit: { limit: 2, collisionStrategy: CANCEL_NEW, gracePeriodSeconds: 60, burst: 3 }
`;

  it("lists every key that is not stored as a warning of its deployment, and the file's own", () => {
    const { deployments, warnings } = load(FILE);
    expect(warnings).toEqual(["description is not a prefect.yaml key; ignored", "required_inputs is not a prefect.yaml key; ignored"]);
    expect(deployments[0]?.warnings).toEqual([
      "deployments[0].triggers is not stored (Waymark keeps no automations; create them in Prefect); ignored",
      "deployments[0].sla is not stored (Waymark keeps no SLAs; create them in Prefect); ignored",
      "deployments[0].job_variables is not stored (job_variables belongs under work_pool:); ignored",
      "deployments[0].is_paused is not stored (did you mean paused?); ignored",
      "deployments[0].owner is not stored (not a key Waymark reads); ignored",
      "deployments[0].work_pool.work_queue is not stored (not a key Waymark reads); ignored",
      "deployments[0].concurrency_limit.burst is not stored (not a key Waymark reads); ignored",
    ]);
  });

  it("makes them errors with --strict, and creates nothing", () => {
    const problems = problemsOf(() => load(FILE, { strict: true }));
    expect(problems).toHaveLength(9);
    expect(problems).toContain("deployments[0].triggers is not stored (Waymark keeps no automations; create them in Prefect); ignored");
  });

  it("keeps the last of a repeated key, as PyYAML does, with a warning naming the line", () => {
    const { deployments, warnings } = load(`deployments:\n- name: first\n  entrypoint: flows.py:etl\n  name: second\n`);
    expect(deployments[0]?.draft.name).toBe("second");
    expect(warnings).toEqual(["line 4, column 3: a key repeated in one mapping; the last value is used, as PyYAML does"]);
  });

  it("does not resolve the templates of keys it does not store", () => {
    expect(one(`  triggers: [{ enabled: "{{ prefect.variables.on }}", name: "{{ $UNSET }}" }]\n`)?.warnings).toEqual([
      "deployments[0].triggers is not stored (Waymark keeps no automations; create them in Prefect); ignored",
    ]);
  });
});

describe("nulls and small shapes", () => {
  it("treats flow_name null or empty, tags, parameters, enforce_parameter_schema and version_type null as absent", () => {
    const loaded = one(`  flow_name: ""\n  tags: null\n  parameters: null\n  enforce_parameter_schema: null\n  version_type: null\n`);
    expect(loaded?.draft).toEqual({ flowName: "etl", name: "d", entrypoint: "flows.py:etl", pullSteps: expect.any(Array) });
    expect(one(`  flow_name: null\n`)?.draft.flowName).toBe("etl");
  });

  it("stores concurrency options in Prefect's key style, normalising camelCase and leaving out nulls", () => {
    expect(one(`  concurrency_limit: { limit: 2, collision_strategy: CANCEL_NEW, grace_period_seconds: null }\n`)?.draft.settings).toEqual({
      concurrencyLimit: 2,
      concurrencyOptions: { collision_strategy: "CANCEL_NEW" },
    });
    expect(one(`  concurrency_limit: { limit: 1, collisionStrategy: ENQUEUE, gracePeriodSeconds: 30 }\n`)?.draft.settings).toEqual({
      concurrencyLimit: 1,
      concurrencyOptions: { collision_strategy: "ENQUEUE", grace_period_seconds: 30 },
    });
  });

  it("honours version_type like --version-type, the flag winning, and refuses an unknown one", () => {
    expect(one(`  version_type: vcs:gitlab\n`)?.versionType).toBe("vcs:gitlab");
    expect(one(`  version_type: vcs:gitlab\n`, { versionTypeOverride: "simple" })?.versionType).toBe("simple");
    expect(one("")).not.toHaveProperty("versionType");
    expect(problemsOf(() => one(`  version_type: svn\n`))).toEqual([expect.stringMatching(/^deployments\[0\]\.version_type: unknown type "svn"/)]);
  });

  it("reads YAML 1.1 scalars as PyYAML does", () => {
    // Each value as PyYAML 6's safe_load gives it (checked against python3 -c 'import yaml').
    const cases: Array<[string, unknown]> = [
      ["yes", true],
      ["No", false],
      ["on", true],
      ["OFF", false],
      ["y", "y"],
      ["n", "n"],
      ["~", null],
      ["1:30", 90],
      ["-1:30", -90],
      ["190:20:30", 685230],
      ["1:30.5", 90.5],
      ["01:02", "01:02"],
      ["1:60", "1:60"],
      ["017", 15],
      ["0o17", "0o17"],
      ["0x1F", 31],
      ["0b101", 5],
      ["1_000", 1000],
      ["1e3", "1e3"],
      ["1.0e+3", 1000],
      ["1.10", 1.1],
      ["0.0.1", "0.0.1"],
      ["'off'", "off"],
      ["2024-06-01", "2024-06-01"],
    ];
    for (const [text, value] of cases) {
      expect(parse(`k: ${text}`, { version: "1.1", customTags: pyYamlTags }).k, text).toEqual(value);
    }
    const loaded = one(`  paused: yes\n  enforce_parameter_schema: off\n  parameters: { timeout: 1:30, day: 2024-06-01 }\n  version: yes\n`);
    expect(loaded?.draft).toMatchObject({
      enforceParameterSchema: false,
      parameters: { timeout: 90, day: "2024-06-01" },
      version: "yes",
      settings: { paused: true },
    });
  });
});

describe("Prefect's default pull step when the file has none", () => {
  const real = () => realpathSync(cwd);

  it("sets the working directory to where the deploy runs, symlinks resolved", () => {
    const link = join(tmpdir(), `waymark-fields-link-${process.pid}`);
    symlinkSync(cwd, link);
    try {
      const loaded = load(`deployments:\n- { name: d, entrypoint: "flows.py:etl" }\n`, { workingDirectory: link }).deployments[0];
      expect(loaded?.draft.pullSteps).toEqual([{ "prefect.deployments.steps.set_working_directory": { directory: real() } }]);
    } finally {
      rmSync(link);
    }
  });

  it("uses /opt/prefect/<directory name> after a docker build with dockerfile: auto, and none with a Dockerfile of its own", () => {
    const build = (dockerfile: string) => `
build:
- prefect_docker.deployments.steps.build_docker_image:
    id: build-image
    image_name: my-registry/my-image
    tag: latest
    dockerfile: ${dockerfile}
deployments:
- { name: d, entrypoint: "flows.py:etl", work_pool: { name: p, job_variables: { image: "my-registry/my-image:latest" } } }
`;
    expect(load(build("auto")).deployments[0]?.draft.pullSteps).toEqual([
      { "prefect.deployments.steps.set_working_directory": { directory: `/opt/prefect/${basename(real())}` } },
    ]);
    expect(load(build("Dockerfile")).deployments[0]?.draft).not.toHaveProperty("pullSteps");
  });

  it("uses /opt/prefect with Prefect's warning when an image is set without a build step", () => {
    const loaded = one(`  work_pool: { name: p, job_variables: { image: "my-registry/my-image:1" } }\n`);
    expect(loaded?.draft.pullSteps).toEqual([{ "prefect.deployments.steps.set_working_directory": { directory: "/opt/prefect" } }]);
    expect(loaded?.warnings).toContainEqual(expect.stringMatching(/^deployments\[0\]\.pull: none in the file and an image is set/));
  });

  it("keeps an explicit pull: [] and a top-level pull", () => {
    expect(one(`  pull: []\n`)?.draft.pullSteps).toEqual([]);
    const shared = load(
      `pull: [{ prefect.deployments.steps.set_working_directory: { directory: /app } }]\ndeployments:\n- { name: d, entrypoint: "flows.py:etl" }\n`,
    );
    expect(shared.deployments[0]?.draft.pullSteps).toEqual([{ "prefect.deployments.steps.set_working_directory": { directory: "/app" } }]);
  });
});

describe("a file as `prefect init --recipe local` writes it, filled in", () => {
  it("deploys with the recipe's nulls and empty schedule, warning only about what is not stored", () => {
    const RECIPE = `
name: my-project
prefect-version: 3.1.0
build: null
push: null
pull:
  - prefect.deployments.steps.set_working_directory:
      directory: /home/me/my-project
deployments:
  - name: nightly
    version: null
    tags: []
    description: null
    schedule: {}
    flow_name: null
    entrypoint: flows.py:etl
    parameters: {}
    work_pool:
      name: local-pool
      work_queue_name: null
      job_variables: {}
`;
    const { deployments, warnings } = load(RECIPE);
    expect(warnings).toEqual([]);
    expect(deployments[0]?.draft).toEqual({
      flowName: "etl",
      name: "nightly",
      entrypoint: "flows.py:etl",
      tags: [],
      description: null,
      parameters: {},
      workPoolName: "local-pool",
      workQueueName: null,
      jobVariables: {},
      pullSteps: [{ "prefect.deployments.steps.set_working_directory": { directory: "/home/me/my-project" } }],
    });
  });
});

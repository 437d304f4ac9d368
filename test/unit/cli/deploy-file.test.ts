import { describe, expect, it } from "vitest";
import { loadDeployments } from "../../../src/cli/deploy-file";
import { SEED_PREFECT_YAML } from "../../support/seed-prefect";
import { problemsOf } from "./usage-problems";
import { codePinOf } from "../../../src/version/code-pin";

const SHA = "4c3e2f1a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const env = { GITHUB_SHA: SHA, IMAGE_DIGEST: DIGEST };

describe("loadDeployments: the seed examples", () => {
  it("resolves into the expected CreateVersionInput", () => {
    const [input, ...rest] = loadDeployments(SEED_PREFECT_YAML, { env });
    expect(rest).toEqual([]);
    expect(input).toEqual({
      flowName: "my-flow",
      name: "my-deployment",
      entrypoint: "example.py:my_flow",
      workPoolName: "my-work-pool",
      jobVariables: { image: `my-registry/my-image@${DIGEST}` },
      pullSteps: [
        {
          "prefect.deployments.steps.git_clone": {
            repository: "https://github.com/my-org/my-repo.git",
            commit_sha: SHA,
          },
        },
      ],
      version: "0.0.1",
    });
    expect(codePinOf(input?.pullSteps ?? [], input?.jobVariables ?? {})).toEqual({
      commitSha: SHA,
      repository: "https://github.com/my-org/my-repo.git",
      imageDigest: DIGEST,
      pinned: true,
      warnings: [],
    });
  });

  it("refuses to deploy when the variables are unset, naming both fields", () => {
    const problems = problemsOf(() => loadDeployments(SEED_PREFECT_YAML, { env: {}, fileName: "ci/prefect.yaml" }));
    expect(problems).toEqual([
      expect.stringMatching(/^pull\[0\]\["prefect\.deployments\.steps\.git_clone"\]\.commit_sha: .*GITHUB_SHA is not set/),
      expect.stringMatching(/^deployments\[0\]\.work_pool\.job_variables\.image: .*IMAGE_DIGEST is not set/),
    ]);
    const load = () => loadDeployments(SEED_PREFECT_YAML, { env: {}, fileName: "ci/prefect.yaml" });
    expect(load).toThrow(/^ci\/prefect\.yaml: 2 problem/);
  });

  it("lets flags beat file keys", () => {
    const [input] = loadDeployments(SEED_PREFECT_YAML, { env, flowNameOverride: "etl", versionOverride: "2024.06.01" });
    expect(input).toMatchObject({ flowName: "etl", version: "2024.06.01" });
  });
});

describe("loadDeployments: every supported key", () => {
  const FULL = `
deployments:
- name: full
  flow_name: Nightly ETL
  version: 1.10
  entrypoint: flows/etl.py:main
  description: Loads the warehouse
  tags: [etl, nightly]
  labels: { team: data }
  parameters: { days: 3 }
  parameter_openapi_schema: { type: object, properties: { days: { type: integer } } }
  enforce_parameter_schema: false
  work_pool: { name: k8s, work_queue_name: high, job_variables: { cpu: 2 } }
  schedules: [{ cron: "0 2 * * *", timezone: UTC }]
  paused: true
  concurrency_limit: { limit: 2, collision_strategy: CANCEL_NEW }
  pull:
  - git_clone: { repository: "https://github.com/o/r", branch: main }
- name: plain
  entrypoint: flows/etl.py:main
  concurrency_limit: 5
- name: unlimited
  entrypoint: flows/etl.py:main
  concurrency_limit: null
  schedules: null
`;

  it("maps every key, keeps the version text, and splits concurrency_limit's object form", () => {
    const [full, plain, unlimited] = loadDeployments(FULL, { env: {} });
    expect(full).toEqual({
      flowName: "Nightly ETL",
      name: "full",
      entrypoint: "flows/etl.py:main",
      description: "Loads the warehouse",
      tags: ["etl", "nightly"],
      labels: { team: "data" },
      parameters: { days: 3 },
      parameterOpenapiSchema: { type: "object", properties: { days: { type: "integer" } } },
      enforceParameterSchema: false,
      workPoolName: "k8s",
      workQueueName: "high",
      jobVariables: { cpu: 2 },
      pullSteps: [{ git_clone: { repository: "https://github.com/o/r", branch: "main" } }],
      version: "1.10",
      settings: {
        paused: true,
        schedules: [{ cron: "0 2 * * *", timezone: "UTC" }],
        concurrencyLimit: 2,
        concurrencyOptions: { collision_strategy: "CANCEL_NEW" },
      },
    });
    expect(plain).toEqual({
      flowName: "main",
      name: "plain",
      entrypoint: "flows/etl.py:main",
      settings: { concurrencyLimit: 5, concurrencyOptions: null },
    });
    expect(unlimited?.settings).toEqual({ schedules: null, concurrencyLimit: null, concurrencyOptions: null });
  });

  it("uses the deployment's own pull over the top-level one, and no settings when the file has none", () => {
    const text = `
pull: [{ git_clone: { repository: "https://a/b", commit_sha: "${SHA}" } }]
deployments:
- { name: own, entrypoint: "a.py:f", pull: [{ set_working_directory: { directory: /app } }] }
- { name: shared, entrypoint: "a.py:f" }
`;
    const [own, shared] = loadDeployments(text, { env: {} });
    expect(own?.pullSteps).toEqual([{ set_working_directory: { directory: "/app" } }]);
    expect(shared?.pullSteps).toEqual([{ git_clone: { repository: "https://a/b", commit_sha: SHA } }]);
    expect(own).not.toHaveProperty("settings");
  });

  it("supports YAML anchors and merge keys as Prefect's examples use them", () => {
    const text = `
definitions:
  pool: &pool { name: shared-pool, job_variables: { image: "img@${DIGEST}" } }
  base: &base { entrypoint: "a.py:my_flow", tags: [x] }
deployments:
- { <<: *base, name: one, work_pool: *pool }
`;
    const [one] = loadDeployments(text, { env: {} });
    expect(one).toMatchObject({ name: "one", flowName: "my-flow", tags: ["x"], workPoolName: "shared-pool" });
  });
});

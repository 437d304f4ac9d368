import { describe, expect, it } from "vitest";
import { loadDeploymentFile } from "../../../src/cli/deploy-file";
import { problemsOf } from "./usage-problems";

// A secret given to the worker through an environment placeholder is resolved in CI and stored in
// the version history, which every key of the workspace reads: the deploy says so.
const FILE = `deployments:
- name: d
  entrypoint: flows.py:main
  parameters:
    region: "{{ $AWS_REGION }}"
    api_token: "{{ $UPSTREAM_ACCESS }}"
  work_pool:
    name: k8s
    job_variables:
      env:
        DATABASE_URL: "postgresql://app:{{ $DB_PASSWORD }}@db/app"
        GITHUB_TOKEN: "{{ $GH_TOKEN }}"
        WORKDIR: "{{ $PWD }}/data"
        SLACK: "{{ prefect.blocks.secret.slack-token }}"
`;
const env = { AWS_REGION: "eu-west-1", UPSTREAM_ACCESS: "u-123", DB_PASSWORD: "hunter2", GH_TOKEN: "ghp_x", PWD: "/src" };

describe("deploy: a secret from the environment stored in a version", () => {
  it("warns for each placeholder whose variable or key names a secret, and for nothing else", () => {
    const { deployments, warnings } = loadDeploymentFile(FILE, { env });
    const all = [...warnings, ...deployments.flatMap((d) => d.warnings)];
    const stored = all.filter((w) => w.includes("stored in the version history"));
    expect(stored.map((w) => w.split(":")[0])).toEqual([
      "deployments[0].parameters.api_token",
      "deployments[0].work_pool.job_variables.env.DATABASE_URL",
      "deployments[0].work_pool.job_variables.env.GITHUB_TOKEN",
    ]);
    expect(stored[1]).toContain("{{ $DB_PASSWORD }}");
    expect(stored[1]).toContain("{{ prefect.blocks.secret.<name> }}");
    // The values are still resolved as Prefect resolves them: this is a warning, not a refusal.
    expect(deployments[0]!.draft.jobVariables).toMatchObject({
      env: { DATABASE_URL: "postgresql://app:hunter2@db/app", SLACK: "{{ prefect.blocks.secret.slack-token }}" },
    });
  });

  it("is an error under --strict", () => {
    const problems = problemsOf(() => loadDeploymentFile(FILE, { env, strict: true }));
    expect(problems.filter((p) => p.includes("stored in the version history"))).toHaveLength(3);
  });
});

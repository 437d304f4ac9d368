import { describe, expect, it } from "vitest";
import { loadDeployments } from "../../../src/cli/deploy-file";
import { UsageError } from "../../../src/cli/errors";
import { problemsOf } from "./usage-problems";

describe("flow names", () => {
  const file = (entrypoint: string) => `deployments:\n- { name: d, entrypoint: "${entrypoint}" }\n`;
  it.each([
    ["example.py:my_flow", "my-flow"],
    ["flows/etl.py:Load_Data_Flow", "Load-Data-Flow"],
    ["pkg.module.nightly_run", "nightly-run"],
    ["C:\\\\flows\\\\a.py:main", "main"],
  ])("%s → %s (Prefect: underscores to hyphens, case kept)", (entrypoint, flowName) => {
    expect(loadDeployments(file(entrypoint), { env: {} })[0]?.flowName).toBe(flowName);
  });

  it("is a problem when nothing names the flow", () => {
    expect(problemsOf(() => loadDeployments(file("flows/etl.py"), { env: {} }))).toEqual([
      expect.stringMatching(/^deployments\[0\]\.entrypoint .*set flow_name/),
    ]);
  });
});

describe("selection", () => {
  const text = `
deployments:
- { name: prod, entrypoint: "a.py:etl" }
- { name: dev, entrypoint: "a.py:etl" }
- { name: prod, entrypoint: "b.py:report" }
`;
  const names = (selected: { flowName: string; name: string }[]) => selected.map((d) => `${d.flowName}/${d.name}`);

  it("selects all without --name", () => {
    expect(names(loadDeployments(text, { env: {} }))).toEqual(["etl/prod", "etl/dev", "report/prod"]);
  });

  it("selects by deployment name (every flow) or by flow/name", () => {
    expect(names(loadDeployments(text, { env: {}, names: ["prod"] }))).toEqual(["etl/prod", "report/prod"]);
    const both = loadDeployments(text, { env: {}, names: ["report/prod", "dev"] });
    expect(names(both)).toEqual(["etl/dev", "report/prod"]);
  });

  it("is a usage error to name an unknown deployment, listing the available ones", () => {
    const load = () => loadDeployments(text, { env: {}, names: ["staging", "etl/nope"] });
    expect(load).toThrow(UsageError);
    expect(load).toThrow('no deployment named "staging", "etl/nope"; available: etl/prod, etl/dev, report/prod');
  });

  it("resolves only the selected deployments' templates", () => {
    const withTemplate = `${text}- { name: other, entrypoint: "c.py:x", version: "{{ $UNSET }}" }\n`;
    expect(names(loadDeployments(withTemplate, { env: {}, names: ["dev"] }))).toEqual(["etl/dev"]);
    expect(() => loadDeployments(withTemplate, { env: {} })).toThrow(/UNSET/);
  });
});

describe("malformed files", () => {
  const load = (text: string) => () => loadDeployments(text, { env: {}, fileName: "deploy/prefect.yaml" });

  it("names the file for invalid YAML, an empty file, or no deployments", () => {
    expect(load("deployments: [\n- name: x\n")).toThrow(/^deploy\/prefect\.yaml is not valid YAML/);
    expect(load("")).toThrow("deploy/prefect.yaml is empty");
    expect(load("- a\n- b\n")).toThrow(/^deploy\/prefect\.yaml must be a mapping/);
    expect(load("pull: []\n")).toThrow(/^deploy\/prefect\.yaml: deployments: must be a non-empty list/);
    expect(load("deployments: [name]\n")).toThrow(/deployments\[0\] must be a mapping/);
  });

  it("lists every type and pull-step problem at once, with paths", () => {
    const text = `
pull:
- git_clone: { repository: "https://a/b", commit_sha: "main", branch: main }
deployments:
- name: a/b
  entrypoint: "x.py:f"
  tags: oops
  paused: "yes"
  work_pool: { name: 3 }
  concurrency_limit: { limit: -1, collision_strategy: CANCEL_NEW }
- { name: "", entrypoint: "x.py:f" }
- { name: c, entrypoint: "x.py:f", version: "" }
- { name: c, entrypoint: "x.py:f" }
`;
    expect(problemsOf(load(text))).toEqual([
      'pull[0].git_clone.commit_sha "main" is not 4–64 hex characters or a runtime placeholder',
      "pull[0].git_clone: commit_sha cannot be combined with branch; use one of them",
      'deployments[0].name must not contain "/" (got "a/b")',
      'deployments[0].tags must be a list of strings: write tags: [oops] (Prefect would store each character of "oops" as a tag: "o", "o", "p", "s")',
      "deployments[0].work_pool.name must be a string or null",
      "deployments[0].paused must be true, false or null",
      "deployments[0].concurrency_limit must have `limit`: a non-negative integer or null",
      "deployments[1].name must not be empty",
      "deployments[2].version must not be empty (omit it to let the server name the version)",
    ]);
  });
});

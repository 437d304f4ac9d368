import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDeploymentFile } from "../../../src/cli/deploy-file";
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

import { describe, expect, it } from "vitest";
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

import { Document } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadDeploymentFile } from "../../../src/cli/deploy-file";

const load = (text: string) => loadDeploymentFile(text, { env: {} });

describe("deploy: merge keys that fan out", () => {
  afterEach(() => vi.restoreAllMocks());

  // Each `<<: *a` copies every key of `a`: 200 deployments of 20,000 keys are 4 million values.
  const fanOut = (keys: number, deployments: number) => {
    const a = Array.from({ length: keys }, (_, i) => `k${i}: 0`).join(", ");
    const many = Array.from({ length: deployments }, (_, i) => `- <<: *a\n  name: d${i}\n  entrypoint: f.py:fn\n`).join("");
    return `definitions:\n  a: &a {${a}}\ndeployments:\n${many}`;
  };

  it("refuses a file whose merges copy past 64 MiB before building any of it, quickly", () => {
    const toJS = vi.spyOn(Document.prototype, "toJS");
    const started = Date.now();
    expect(() => load(fanOut(20_000, 200))).toThrow(/aliases expand too far \(to more than 64 MiB\)/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(toJS).not.toHaveBeenCalled();
  });

  it("still reads deployments that merge a shared mapping", () => {
    const { deployments } = load(fanOut(3, 50));
    expect(deployments).toHaveLength(50);
    expect(deployments[49]?.draft.name).toBe("d49");
  });

  it("reads a mapping of 40,000 keys in a few seconds (a repeated key is found in one pass)", () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `    k${i}: 0\n`).join("");
    const started = Date.now();
    const { warnings } = loadDeploymentFile(`definitions:\n  a:\n${keys}    k7: 1\ndeployments:\n- name: d\n  entrypoint: f.py:fn\n`, { env: {} });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(warnings).toEqual(["line 40003, column 5: a key repeated in one mapping; the last value is used, as PyYAML does"]);
  });

  it("refuses an anchor that holds an alias of itself", () => {
    expect(() => load(`a: &a [1, *a]\ndeployments:\n- name: d\n  entrypoint: f.py:fn\n`)).toThrow(/aliases expand too far/);
  });
});

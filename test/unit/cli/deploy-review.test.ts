import { tmpdir } from "node:os";
import { Document } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadDeploymentFile } from "../../../src/cli/deploy-file";
import { prepareDeployments } from "../../../src/cli/deploy/steps";

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

describe("deploy: numbers JSON cannot carry are refused only where they are stored", () => {
  const ONE = "deployments:\n- name: d\n  entrypoint: f.py:fn\n";
  const problemOf = (text: string) => {
    try {
      load(text);
    } catch (error) {
      return [String(error), ...((error as { problems?: string[] }).problems ?? [])].join("\n");
    }
    return "";
  };

  it("keeps a version written as a long number as the text written", () => {
    expect(load(`${ONE}  version: 20240601123045123456\n`).deployments[0]?.draft.version).toBe("20240601123045123456");
  });

  it("keeps such a version merged in from definitions as the text written", () => {
    const text = `definitions:\n  v: &v {version: 20240601123045123456}\ndeployments:\n- <<: *v\n  name: d\n  entrypoint: f.py:fn\n`;
    expect(load(text).deployments[0]?.draft.version).toBe("20240601123045123456");
  });

  it("warns about triggers holding .inf as not stored, and deploys", () => {
    const { deployments } = load(`${ONE}  triggers: [{threshold: .inf}]\n`);
    expect(deployments[0]?.warnings.join("\n")).toMatch(/triggers is not stored/);
  });

  it("reads a file whose unused definitions hold a big integer", () => {
    expect(load(`definitions: {x: 12345678901234567890}\n${ONE}`).deployments).toHaveLength(1);
  });

  it("refuses a big integer or .inf inside parameters, job_variables and pull steps, naming where", () => {
    expect(problemOf(`${ONE}  parameters:\n    p: {q: [12345678901234567891]}\n`)).toMatch(
      /deployments\[0\]\.parameters\.p\.q\[0\]: 12345678901234567891 .*quote it/,
    );
    expect(problemOf(`${ONE}  work_pool:\n    name: w\n    job_variables: {n: -.inf}\n`)).toMatch(/job_variables\.n: -\.inf is not a finite number/);
    expect(problemOf(`pull:\n- prefect.deployments.steps.set_working_directory: {directory: /a, n: .nan}\n${ONE}`)).toMatch(
      /pull\[0\].*\.nan is not a finite number/,
    );
  });
});

describe("deploy: integers kept as the server keeps them", () => {
  it("keeps an integer a double holds exactly, or one written as its double prints", () => {
    const { deployments } = load(
      `deployments:\n- name: d\n  entrypoint: f.py:fn\n  parameters: {a: 18014398509481984, b: 18446744073709552000, c: 0x40000000000000}\n`,
    );
    expect(deployments[0]?.draft.parameters).toEqual({ a: 2 ** 54, b: 18446744073709552000, c: 2 ** 54 });
  });

  it("refuses one the double would change", () => {
    expect(() => load(`deployments:\n- name: d\n  entrypoint: f.py:fn\n  parameters: {a: 18014398509481985}\n`)).toThrow();
  });
});

describe("deploy: the booleans a placeholder's text may read as, as the README lists them", () => {
  it.each([
    ["t", true],
    ["Y", true],
    ["f", false],
    ["n", false],
  ])("reads %s as %s", (text, value) => {
    const file = `deployments:\n- name: d\n  entrypoint: f.py:fn\n  paused: "{{ $P }}"\n`;
    expect(loadDeploymentFile(file, { env: { P: text } }).deployments[0]?.draft.settings).toMatchObject({ paused: value });
  });
});

describe("deploy: numbers JSON cannot carry in the arguments of a build step", () => {
  it("refuses them before any step runs, naming where", async () => {
    const commands: string[] = [];
    const run = async (_program: string, args: readonly string[]) => {
      commands.push(args.join(" "));
      return { code: 0, stdout: "", stderr: "" };
    };
    const context = { env: {}, cwd: tmpdir(), run, log: () => {}, now: () => new Date(0), docker: "docker", pushed: new Map<string, string>() };
    const stepOptions = { env: {}, skipBuild: false, skipPush: false, stepOutputs: [], allowEmpty: [] };
    const text = `build:\n- prefect.deployments.steps.run_shell_script:\n    script: echo hi\n    env: {X: .inf}\ndeployments:\n- name: d\n  entrypoint: f.py:fn\n`;
    const problems = await prepareDeployments(text, { env: {} }, stepOptions, context).then(
      () => [],
      (error: { problems?: string[] }) => error.problems ?? [],
    );
    expect(problems.join("\n")).toMatch(/build\[0\]\["prefect\.deployments\.steps\.run_shell_script"\]\.env\.X: \.inf is not a finite number/);
    expect(commands).toEqual([]);
  });
});

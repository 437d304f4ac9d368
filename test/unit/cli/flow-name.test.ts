import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDeploymentFile } from "../../../src/cli/deploy-file";
import { flowNameInCode } from "../../../src/cli/deploy/flow-name";
import { flowInCode } from "../../../src/cli/deploy/python-flow";
import { problemsOf } from "./usage-problems";

// Flow names as Prefect 3 registers them: the literal `@flow(name=…)` of the entrypoint's function,
// read without running the file, else the function's name with `_` → `-`.

const FILES: Record<string, string> = {
  "flows/etl.py": `
from prefect import flow, task

@task(name="not the flow")
def extract(): ...

@flow(name="Nightly ETL", log_prints=True)
def nightly_etl(days: int = 1) -> None:
    """@flow(name="a docstring is not a decorator")"""
    extract()
`,
  "flows/bare.py": `from prefect import flow\n\n@flow\ndef load_data_flow():\n    pass\n`,
  "flows/constant.py": `from prefect import flow\nSOME_CONSTANT = "etl"\n\n@flow(name=SOME_CONSTANT)\ndef my_flow():\n    pass\n`,
  "pkg/__init__.py": `import prefect\n\n@prefect.flow(name="package flow")\ndef run(): ...\n`,
  "pkg/jobs.py": `
from prefect import flow

class Jobs:
    @flow(name="jobs-" 'run')  # implicit concatenation
    def run(self): ...
`,
  "not_a_flow.py": `def plain_function():\n    return 1\n`,
};

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "waymark-flow-name-"));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    writeFileSync(join(cwd, path), text);
  }
  mkdirSync(join(cwd, "a_directory.py"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const deploy = (entrypoint: string, extra = "") =>
  loadDeploymentFile(`deployments:\n- { name: d, entrypoint: "${entrypoint}"${extra} }\n`, { env: {}, workingDirectory: cwd }).deployments[0];

describe("flow names read from the entrypoint's code", () => {
  it("takes the literal name of @flow(name=\"Nightly ETL\"), not a @task's nor a docstring's", () => {
    const loaded = deploy("flows/etl.py:nightly_etl");
    expect(loaded?.draft.flowName).toBe("Nightly ETL");
    expect(loaded?.warnings).toEqual([]);
  });

  it("uses the function name with _ → - for a bare @flow", () => {
    expect(deploy("flows/bare.py:load_data_flow")).toMatchObject({ draft: { flowName: "load-data-flow" }, warnings: [] });
  });

  it("falls back to the function name with a warning for @flow(name=SOME_CONSTANT)", () => {
    const loaded = deploy("flows/constant.py:my_flow");
    expect(loaded?.draft.flowName).toBe("my-flow");
    expect(loaded?.warnings).toEqual([
      expect.stringMatching(
        /^deployments\[0\]\.entrypoint: .*flows\/constant\.py names its flow with a name \(name=SOME_CONSTANT\); flow name "my-flow" taken from the function name/,
      ),
    ]);
  });

  it.each([
    ["flows.etl:nightly_etl", "Nightly ETL"],
    ["flows.etl.nightly_etl", "Nightly ETL"],
    ["pkg:run", "package flow"],
    ["pkg.jobs:Jobs.run", "jobs-run"],
  ])("resolves the module form %s to a file (→ %s)", (entrypoint, flowName) => {
    expect(deploy(entrypoint)).toMatchObject({ draft: { flowName }, warnings: [] });
  });

  it("falls back with a warning when the file cannot be read, is a directory, or lacks the function", () => {
    for (const [entrypoint, why] of [
      ["missing.py:my_flow", /missing\.py: no such file; flow name "my-flow"/],
      ["a_directory.py:my_flow", /a_directory\.py: not a regular file/],
      ["flows/etl.py:no_such_flow", /defines no function no_such_flow; flow name "no-such-flow"/],
      ["not_a_flow.py:plain_function", /plain_function in .* has no @flow decorator; flow name "plain-function"/],
    ] as const) {
      const loaded = deploy(entrypoint);
      expect(loaded?.warnings, entrypoint).toEqual([expect.stringMatching(why)]);
    }
  });

  it("uses flow_name and --flow-name over the code, warning when they differ from the name Prefect registers", () => {
    const loaded = deploy("flows/etl.py:nightly_etl", ", flow_name: etl");
    expect(loaded?.draft.flowName).toBe("etl");
    expect(loaded?.warnings).toEqual([expect.stringContaining('flow name "etl" is used, but Prefect registers this flow as "Nightly ETL"')]);
    expect(deploy("missing.py:f", ", flow_name: etl")?.warnings).toEqual([]);
  });

  it("selects by the flow name the code gives", () => {
    const text = `deployments:\n- { name: d, entrypoint: "flows/etl.py:nightly_etl" }\n- { name: d, entrypoint: "flows/bare.py:load_data_flow" }\n`;
    const selected = loadDeploymentFile(text, { env: {}, workingDirectory: cwd, names: ["Nightly ETL/d"] });
    expect(selected.deployments.map((d) => d.draft.flowName)).toEqual(["Nightly ETL"]);
  });

  it("refuses a literal name Prefect refuses", () => {
    writeFileSync(join(cwd, "slash.py"), `@flow(name="a/b")\ndef f(): ...\n`);
    const load = () => loadDeploymentFile(`deployments:\n- { name: d, entrypoint: "slash.py:f" }\n`, { env: {}, workingDirectory: cwd });
    expect(problemsOf(load)).toEqual([expect.stringMatching(/^deployments\[0\]\.entrypoint .*"a\/b" .*which Prefect refuses/)]);
  });

  it("with --strict, a fallback is an error", () => {
    const load = () =>
      loadDeploymentFile(`deployments:\n- { name: d, entrypoint: "flows/constant.py:my_flow" }\n`, { env: {}, workingDirectory: cwd, strict: true });
    expect(problemsOf(load)).toEqual([expect.stringMatching(/name=SOME_CONSTANT/)]);
  });
});

describe("the flow's description, as Prefect takes it when the file has none", () => {
  const source = ["@flow", "def f():", '    """', "    Load the warehouse.", "", "        Indented detail.", "\tTabbed line.", '    """'].join("\n");

  it("is the docstring, cleaned as inspect.getdoc cleans it (checked against Python 3)", () => {
    expect(flowInCode(source, ["f"])).toMatchObject({ description: "Load the warehouse.\n\n    Indented detail.\n    Tabbed line." });
  });

  it("is a literal description= over the docstring; neither gives none", () => {
    expect(flowInCode(`@flow(description="Given")\ndef f():\n    """Doc."""\n`, ["f"])).toMatchObject({ description: "Given" });
    expect(flowInCode(`@flow\ndef f():\n    x = 1\n    """not a docstring"""\n`, ["f"])).not.toHaveProperty("description");
  });

  it("fills an absent, null or empty description of the deployment, never one the file sets", () => {
    expect(deploy("flows/etl.py:nightly_etl")?.draft.description).toBe('@flow(name="a docstring is not a decorator")');
    expect(deploy("flows/etl.py:nightly_etl", ", description: null")?.draft.description).toBe('@flow(name="a docstring is not a decorator")');
    expect(deploy("flows/etl.py:nightly_etl", ", description: Mine")?.draft.description).toBe("Mine");
    expect(deploy("flows/bare.py:load_data_flow")?.draft).not.toHaveProperty("description");
  });
});

describe("flowInCode: literal names and hostile shapes", () => {
  const nameIn = (source: string, path = ["f"]) => flowInCode(source, path);

  it.each([
    [`@flow(name="a" 'b' """c""")\ndef f(): ...`, "abc"],
    [`@flow(name=f"plain")\ndef f(): ...`, "plain"],
    [`@flow(name=f"{{braces}}")\ndef f(): ...`, "{braces}"],
    [`@flow(name="tab\\there \\u00e9 \\x41 \\101")\ndef f(): ...`, "tab\there é A A"],
    [`@flow(name=r"raw\\n")\ndef f(): ...`, "raw\\n"],
    [`@flow(\n    # a comment\n    retries=2,\n    name=(\n        "multi"\n        "-line"\n    ),\n)\ndef f(): ...`, "multi-line"],
    [`@flow(retries=retry(name="nested"), name="outer")\ndef f(): ...`, "outer"],
    [`@other\n@flow(name="stacked")\n@functools.wraps(g)\nasync def f(): ...`, "stacked"],
  ])("reads %j as %j", (source, name) => {
    expect(nameIn(source)).toMatchObject({ kind: "named", name });
  });

  it.each([
    [`@flow(name=f"etl-{ENV}")\ndef f(): ...`, /an f-string with replacement fields/],
    [`@flow(name=b"bytes")\ndef f(): ...`, /a bytes literal/],
    [`@flow(name="x" + SUFFIX)\ndef f(): ...`, /name=.x. \+ SUFFIX/],
    [`@flow(name=get_name())\ndef f(): ...`, /call expression/],
    [`@flow(name="\\N{BULLET}")\ndef f(): ...`, /\\N\{…\} escape/],
    [`@flow(name=42)\ndef f(): ...`, /a number/],
  ])("does not take %j as a literal", (source, reason) => {
    const found = nameIn(source);
    expect(found.kind).toBe("not-literal");
    expect(found.kind === "not-literal" && found.reason).toMatch(reason);
  });

  it('treats name=None and name="" as no name, as Prefect\'s `name or fn.__name__` does', () => {
    expect(nameIn(`@flow(name=None)\ndef f(): ...`)).toEqual({ kind: "unnamed", functionName: "f" });
    expect(nameIn(`@flow(name="")\ndef f(): ...`)).toEqual({ kind: "unnamed", functionName: "f" });
  });

  it("binds the name as Python does: the last module-level definition, else the first nested one", () => {
    const source = `@flow(name="first")\ndef f(): ...\n\n@flow(name="second")\ndef f(): ...\n`;
    expect(nameIn(source)).toMatchObject({ name: "second" });
    const nested = `def outer():\n    @flow(name="inner")\n    def f(): ...\n\ntry:\n    @flow(name="in try")\n    def g(): ...\nexcept ImportError:\n    pass\n`;
    expect(nameIn(nested, ["g"])).toMatchObject({ name: "in try" });
    expect(nameIn(`x = "def f(): pass"\n`)).toMatchObject({ kind: "not-found" });
  });

  it("reads decorators only: @flow in a string, a comment or on another function does not count", () => {
    const source = `# @flow(name="comment")\ns = '@flow(name="string")'\n@flow(name="other")\ndef g(): ...\ndef f(): ...\n`;
    expect(nameIn(source)).toEqual({ kind: "not-a-flow", functionName: "f" });
  });

  it("does not trust a definition with a syntax error, but ignores errors elsewhere", () => {
    expect(nameIn(`@flow(name="broken")\ndef f(:\n    pass\n`).kind).toBe("not-literal");
    expect(nameIn(`@flow(name="fine")\ndef f(): ...\n\ndef other(:\n`)).toMatchObject({ kind: "named", name: "fine" });
  });

  it("survives deep nesting, a byte order mark, CRLF, null bytes and newer syntax (match, type parameters) without running anything", () => {
    const deep = `x = ${"(".repeat(3000)}1${")".repeat(3000)}\n@flow(name="deep")\ndef f(): ...\n`;
    expect(nameIn(deep)).toMatchObject({ name: "deep" });
    expect(nameIn(`\uFEFF@flow(name="bom")\r\ndef f():\r\n    pass\r\n`)).toMatchObject({ name: "bom" });
    expect(nameIn(`a = "\0"\nmatch a:\n    case _: pass\ntype T = int\n@flow(name="new")\ndef f[T](x: T): ...\n`)).toMatchObject({ name: "new" });
  });

  it("falls back for a file too large to be a hand-written flow module", () => {
    const big = join(cwd, "big.py");
    writeFileSync(big, `@flow(name="big")\ndef f(): ...\n${"#".repeat(5 * 1024 * 1024)}\n`);
    expect(flowNameInCode("big.py:f", cwd)).toMatchObject({ name: "f", warning: expect.stringMatching(/larger than/) });
  });
});

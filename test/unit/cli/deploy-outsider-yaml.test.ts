import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDeploymentFile } from "../../../src/cli/deploy-file";
import { prepareDeployments } from "../../../src/cli/deploy/steps";
import { run } from "../../../src/cli/run";
import { fakeFetch } from "./fake-fetch";
import { noGit } from "./fake-git";
import { decodeDeployFile, MAX_DEPLOY_FILE_BYTES } from "../../../src/cli/deploy/parse";
import { problemsOf } from "./usage-problems";

/**
 * prefect.yaml files as public repositories have them (trimmed), and the shapes a CI may bring,
 * each read as Prefect 3's `prefect deploy` reads it with PyYAML's safe_load.
 */
const ONE = "deployments:\n- name: d\n  entrypoint: flows.py:main\n";
const load = (text: string, names: string[] = []) => loadDeploymentFile(text, { env: {}, names });
const parameters = (text: string) => load(text).deployments[0]?.draft.parameters;
const problemOf = (text: string) => problemsOf(() => load(text)).join("\n");

describe("deploy: a prefect init template left above the real deployments", () => {
  // As `prefect init` writes it, with the project's deployment added below (owjoel/client-factpack).
  const FILE = `
name: prefect
prefect-version: 3.3.1
build:
push:
pull:
deployments:
- name:
  version:
  tags: []
  description:
  schedule: {}
  flow_name:
  entrypoint:
  parameters: {}
  work_pool:
    name:
    work_queue_name:
    job_variables: {}
- name: default
  entrypoint: flows/match_flow.py:match_client_flow
  work_pool:
    name: pool
`;

  it("skips the unnamed deployment with a warning, as prefect deploy --all does", () => {
    const { deployments, warnings } = load(FILE);
    expect(deployments.map((d) => d.draft.name)).toEqual(["default"]);
    expect(warnings).toEqual([expect.stringMatching(/^deployments\[0\] has no name; skipped/)]);
  });

  it("makes the skip an error under --strict", () => {
    const problems = problemsOf(() => loadDeploymentFile(FILE, { env: {}, strict: true }));
    expect(problems).toEqual([expect.stringMatching(/^deployments\[0\] has no name; skipped/)]);
  });

  it("refuses a file whose only deployments have no name", () => {
    expect(() => load("deployments:\n- name: null\n  entrypoint: f.py:fn\n")).toThrow(/no deployment in it has a name/);
  });
});

describe("deploy: YAML that PyYAML's safe_load refuses, or that has no JSON value", () => {
  it.each([
    ["a local tag", "!Ref foo"],
    ["a python tag", "!!python/object/apply:os.system ['echo pwned']"],
    ["binary", "!!binary aGVsbG8="],
    ["a set", "!!set {a, b}"],
    ["an ordered map", "!!omap [a: 1]"],
  ])("refuses %s instead of storing a guess", (_kind, value) => {
    expect(problemOf(`${ONE}  parameters:\n    p: ${value}\n`)).toMatch(/line 5/);
  });

  it.each([".inf", "-.Inf", ".nan", "1.0e+999"])("refuses %s, which JSON cannot carry (it would be sent as null)", (value) => {
    expect(problemOf(`${ONE}  parameters:\n    p: ${value}\n`)).toMatch(/not a finite number.*quote it/);
  });

  it("refuses an integer that would lose digits, and keeps the largest exact one", () => {
    expect(problemOf(`${ONE}  parameters:\n    p: 9007199254740993\n`)).toMatch(/9007199254740993 .*quote it/);
    expect(parameters(`${ONE}  parameters:\n    p: 9007199254740991\n    q: -0x1F\n`)).toEqual({ p: 9007199254740991, q: -31 });
  });

  it("refuses a list or mapping as a key, which PyYAML cannot hash", () => {
    expect(problemOf(`${ONE}  parameters:\n    ? [a, b]\n    : 1\n`)).toMatch(/line 5, column 7: a key must be text, a number or a boolean/);
  });

  it("refuses a second document (---) in words about the file, as PyYAML's safe_load refuses it", () => {
    expect(problemOf(`${ONE}---\n${ONE}`)).toMatch(/^the file holds more than one YAML document \(---\); prefect\.yaml is one at line 4/);
  });

  it("refuses nesting deeper than the parser's stack as nested too deeply, not as a crash", () => {
    expect(problemOf(`${ONE}  parameters:\n    p: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`)).toMatch(/^nested too deeply at line 5/);
  });

  it("names a null key null, as Prefect's JSON does", () => {
    expect(parameters(`${ONE}  parameters:\n    ~: 1\n    b: 2\n`)).toEqual({ null: 1, b: 2 });
  });

  it("still reads !!str, !!int and !!float as PyYAML does", () => {
    expect(parameters(`${ONE}  parameters:\n    a: !!str 1\n    b: !!int "7"\n    c: !!float "1.5"\n`)).toEqual({ a: "1", b: 7, c: 1.5 });
  });
});

describe("deploy: block scalars and line ends", () => {
  it("ends a block scalar at the end of a file without a final line break as PyYAML does", () => {
    const text = `${ONE}  description: |\n    line1\n    line2`;
    expect(load(text).deployments[0]?.draft.description).toBe("line1\nline2");
    expect(load(`${ONE}  description: >\n    a\n    b`).deployments[0]?.draft.description).toBe("a b");
    expect(load(`${text}\n`).deployments[0]?.draft.description).toBe("line1\nline2\n");
  });

  it("reads a file with CR line ends alone, as Python's universal newlines read it for PyYAML", () => {
    const text = `${ONE}  description: |\n    line1\n    line2\n`.replace(/\n/g, "\r");
    expect(load(text).deployments[0]?.draft).toMatchObject({ name: "d", description: "line1\nline2\n" });
  });

  it("reads CRLF files as LF", () => {
    const text = `${ONE}  description: |\n    line1\n    line2\n`.replace(/\n/g, "\r\n");
    expect(load(text).deployments[0]?.draft.description).toBe("line1\nline2\n");
  });
});

describe("deploy: aliases", () => {
  it("accepts many deployments sharing one anchor (1,500 aliases)", () => {
    const many = Array.from({ length: 1500 }, (_, i) => `- name: d${i}\n  entrypoint: f.py:fn\n  work_pool: *wp\n`).join("");
    const text = `definitions:\n  wp: &wp {name: pool}\ndeployments:\n${many}`;
    expect(load(text, ["d1499"]).deployments[0]?.draft.workPoolName).toBe("pool");
  });

  it("refuses a billion-laughs file as a file problem, quickly", () => {
    const levels = Array.from({ length: 8 }, (_, i) => {
      const [from, to] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
      return `${to}: &${to} [${Array(10).fill(`*${from}`).join(",")}]\n`;
    }).join("");
    const text = `a: &a [x,x,x,x,x,x,x,x,x,x]\n${levels}${ONE}  parameters:\n    p: *i\n`;
    const started = Date.now();
    expect(() => load(text)).toThrow(/aliases expand too far \(more than 20000 copies\)/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("refuses one large anchor repeated until it would exhaust memory, quickly", () => {
    const text = `definitions:\n  big: &big "${"x".repeat(1024 * 1024)}"\n${ONE}  parameters:\n    p: [${Array(5000).fill("*big").join(",")}]\n`;
    const started = Date.now();
    expect(() => load(text)).toThrow(/aliases expand too far \(to more than 64 MiB\)/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("deploy: how many deployments one run takes", () => {
  const file = (count: number) => `deployments:\n${Array.from({ length: count }, (_, i) => `- { name: d${i}, entrypoint: f.py:fn }\n`).join("")}`;

  it("refuses more than 1,000 at once, before any work, and takes them by --name", () => {
    const started = Date.now();
    expect(() => load(file(50_000))).toThrow(/50000 deployments selected; at most 1000 are deployed in one run/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(load(file(1001), ["d1000"]).deployments).toHaveLength(1);
    expect(load(file(1000)).deployments).toHaveLength(1000);
  });
});

describe("deploy: the bytes of the file", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it("drops a UTF-8 byte order mark", () => {
    expect(decodeDeployFile(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes(ONE)]), "prefect.yaml")).toBe(ONE);
  });

  it("refuses a file that is not UTF-8 instead of replacing what it cannot read", () => {
    const latin1 = Uint8Array.from([...bytes(`${ONE}  description: caf`), 0xe9, 0x0a]);
    expect(() => decodeDeployFile(latin1, "ci/prefect.yaml")).toThrow(/^ci\/prefect\.yaml is not UTF-8 text/);
    const utf16 = Uint8Array.from([0xff, 0xfe, ...[...ONE].flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(() => decodeDeployFile(utf16, "prefect.yaml")).toThrow(/is not UTF-8 text/);
  });

  it("refuses a file larger than the limit before reading it as YAML", () => {
    expect(() => decodeDeployFile(new Uint8Array(MAX_DEPLOY_FILE_BYTES + 1), "prefect.yaml")).toThrow(/larger than 8 MiB/);
  });

  it("refuses control characters, as PyYAML's reader does", () => {
    expect(problemOf(`${ONE}  description: a\u0000b\n`)).toMatch(/line 4, column 17: control character U\+0000/);
  });

  it("keeps text outside the Basic Multilingual Plane", () => {
    const text = "deployments:\n- name: \u{1F680}-deploy\n  entrypoint: f.py:fn\n  tags: ['\u{1F525}']\n";
    expect(load(text).deployments[0]?.draft).toMatchObject({ name: "\u{1F680}-deploy", tags: ["\u{1F525}"] });
  });
});

describe("deploy --all, as a pipeline written for prefect deploy --all runs it", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  async function cli(argv: string[], file: string | Uint8Array = `${ONE}  parameters:\n    p: "{{ $UNSET_IN_THIS_TEST }}"\n`) {
    const cwd = mkdtempSync(join(tmpdir(), "waymark-all-"));
    dirs.push(cwd);
    writeFileSync(join(cwd, "prefect.yaml"), file);
    let stderr = "";
    const io = { env: {}, cwd, fetch: fakeFetch(), git: noGit, sleep: async () => {}, stdout: () => {}, stderr: (t: string) => void (stderr += t) };
    return { code: await run(argv, io), stderr };
  }

  it("takes --all as every named deployment: the file is read (here: refused for its unset variable)", async () => {
    const { code, stderr } = await cli(["deploy", "--all", "--api-url", "http://w.test"]);
    expect(code).toBe(2);
    expect(stderr).toContain("UNSET_IN_THIS_TEST is not set");
  });

  it("reads the file's bytes as UTF-8 through the command: another encoding exits 2, naming the file", async () => {
    const latin1 = Uint8Array.from([...new TextEncoder().encode(`${ONE}  description: caf`), 0xe9, 0x0a]);
    const { code, stderr } = await cli(["deploy", "--api-url", "http://w.test"], latin1);
    expect(code).toBe(2);
    expect(stderr).toBe("waymark: prefect.yaml is not UTF-8 text; save it as UTF-8 (prefect deploy reads it as UTF-8 too)\n");
  });

  it("refuses a file that never ends (-f /dev/zero) after 8 MiB instead of reading forever", async () => {
    const started = Date.now();
    const { code, stderr } = await cli(["deploy", "-f", "/dev/zero", "--api-url", "http://w.test"]);
    expect(code).toBe(2);
    expect(stderr).toBe("waymark: /dev/zero is larger than 8 MiB; not read\n");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses --all with --name, which would say two things", async () => {
    const { code, stderr } = await cli(["deploy", "--all", "--name", "d", "--api-url", "http://w.test"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--all .*--name/);
  });
});

describe("deploy: docker steps with current prefect-docker inputs", () => {
  // prefect-docker's build_docker_image takes build_backend ("docker-py" or "buildx"),
  // persist_dockerfile and dockerfile_output_path (for dockerfile: auto); push_docker_image build_backend.
  const FILE = (backend: string) => `
build:
- prefect_docker.deployments.steps.build_docker_image:
    id: build-image
    image_name: reg.example.com/team/app
    tag: "1.0"
    build_backend: ${backend}
    persist_dockerfile: false
    dockerfile_output_path: Dockerfile.generated
push:
- prefect_docker.deployments.steps.push_docker_image:
    image_name: "{{ build-image.image_name }}"
    tag: "{{ build-image.tag }}"
    build_backend: ${backend}
${ONE}  work_pool:
    name: pool
    job_variables:
      image: "{{ build-image.image }}"
`;
  const DIGEST = `sha256:${"d".repeat(64)}`;

  async function prepare(text: string) {
    const commands: string[] = [];
    const runner = async (_program: string, args: readonly string[]) => {
      commands.push(args.join(" "));
      if (args[0] === "build") writeFileSync(args[args.indexOf("--iidfile") + 1] ?? "", `sha256:${"1".repeat(64)}`);
      return { code: 0, stdout: args[0] === "push" ? `1.0: digest: ${DIGEST} size: 528\n` : "Docker version 27.3.1\n", stderr: "" };
    };
    const context = { env: {}, cwd: tmpdir(), run: runner, log: () => {}, now: () => new Date(0), docker: "docker", pushed: new Map<string, string>() };
    const stepOptions = { env: {}, skipBuild: false, skipPush: false, stepOutputs: [], allowEmpty: [] };
    const file = await prepareDeployments(text, { env: {} }, stepOptions, context);
    return { file, commands };
  }

  it.each(["docker-py", "buildx"])("builds and pushes with build_backend: %s through the docker CLI", async (backend) => {
    const { file, commands } = await prepare(FILE(backend));
    expect(file.deployments[0]?.draft.jobVariables).toEqual({ image: "reg.example.com/team/app:1.0" });
    expect(commands.filter((c) => /^(build|push)/.test(c)).map((c) => c.split(" ")[0])).toEqual(["build", "push"]);
  });

  it("refuses a build_backend prefect-docker does not have, as it does", async () => {
    await expect(prepare(FILE("kaniko"))).rejects.toThrow(/build_backend must be "docker-py" or "buildx"/);
  });
});

describe("deploy: typed fields written as a placeholder, as Prefect's pydantic models read its text", () => {
  const env = { LIMIT: "3", PAUSED: "true", ENFORCE: "false", ACTIVE: "false", WORD: "maybe" };
  const loadWith = (text: string) => loadDeploymentFile(text, { env }).deployments[0]?.draft;

  it("reads a placeholder's text as the integer or boolean the field takes", () => {
    const text = `${ONE}  concurrency_limit: "{{ $LIMIT }}"\n  paused: "{{ $PAUSED }}"\n  enforce_parameter_schema: "{{ $ENFORCE }}"\n`;
    const draft = loadWith(text);
    expect(draft?.settings).toMatchObject({ concurrencyLimit: 3, paused: true });
    expect(draft?.enforceParameterSchema).toBe(false);
    const object = loadWith(`${ONE}  concurrency_limit:\n    limit: "{{ $LIMIT }}"\n    grace_period_seconds: "{{ $LIMIT }}0"\n`);
    expect(object?.settings).toMatchObject({ concurrencyLimit: 3, concurrencyOptions: { grace_period_seconds: 30 } });
  });

  it("reads a schedule's active and day_or the same way, instead of storing the text", () => {
    const text = `${ONE}  schedule:\n    cron: "0 * * * *"\n    active: "{{ $ACTIVE }}"\n    day_or: "{{ $PAUSED }}"\n`;
    expect(loadWith(text)?.settings?.schedules).toEqual([{ cron: "0 * * * *", active: false, day_or: true }]);
  });

  it("still refuses a placeholder's text that is neither, and text written as such", () => {
    const problems = problemsOf(() => loadWith(`${ONE}  paused: "{{ $WORD }}"\n  concurrency_limit: "{{ $WORD }}"\n`));
    expect(problems).toEqual([
      "deployments[0].paused must be true, false or null",
      "deployments[0].concurrency_limit must be a non-negative integer, null or a mapping with `limit`",
    ]);
    expect(problemsOf(() => loadWith(`${ONE}  schedules:\n  - cron: "0 * * * *"\n    active: "false"\n`))).toEqual([
      "deployments[0].schedules[0].active must be true or false",
    ]);
  });

  it.each([
    ["an empty schedule", "  - {}\n"],
    ["a misspelt key", "  - crn: '0 * * * *'\n"],
    ["a bare cron string", "  - '0 * * * *'\n"],
  ])("refuses %s, which Prefect refuses as an unknown schedule type", (_kind, item) => {
    expect(problemsOf(() => loadWith(`${ONE}  schedules:\n${item}`))).toEqual([
      expect.stringMatching(/^deployments\[0\]\.schedules\[0\] must be a mapping with cron, interval or rrule/),
    ]);
  });
});

describe("deploy --name with a * pattern, as prefect deploy --name takes it", () => {
  const FILE = `
deployments:
- { name: etl-prod, entrypoint: "flows/etl.py:run_etl" }
- { name: etl-dev, entrypoint: "flows/etl.py:run_etl" }
- { name: report-prod, entrypoint: "flows/report.py:daily_report", flow_name: reports }
- { name: null, entrypoint: "flows/etl.py:run_etl" }
`;
  const names = (patterns: string[]) => load(FILE, patterns).deployments.map((d) => `${d.draft.flowName}/${d.draft.name}`);

  it("selects every deployment whose name matches", () => {
    expect(names(["*-prod"])).toEqual(["run-etl/etl-prod", "reports/report-prod"]);
    expect(names(["*"])).toEqual(["run-etl/etl-prod", "run-etl/etl-dev", "reports/report-prod"]);
  });

  it("matches FLOW/NAME against the flow name, or the entrypoint's function as Prefect does", () => {
    expect(names(["run-etl/*"])).toEqual(["run-etl/etl-prod", "run-etl/etl-dev"]);
    expect(names(["daily-report/*", "reports/*"])).toEqual(["reports/report-prod"]);
    expect(names(["daily_report/report-prod"])).toEqual(["reports/report-prod"]);
    expect(names(["reports/report-prod"])).toEqual(["reports/report-prod"]);
  });

  it("refuses a pattern that matches nothing, listing what the file has", () => {
    expect(() => load(FILE, ["nightly-*"])).toThrow(/no deployment named "nightly-\*"; available: /);
  });
});

describe("deploy: a flow's docstring as its description, as Prefect takes it", () => {
  it("reads the docstring after a comment on the def line", () => {
    const cwd = mkdtempSync(join(tmpdir(), "waymark-doc-"));
    try {
      // As in AuckeBos/bunq-ynab-connect: a lint comment after the colon.
      writeFileSync(
        join(cwd, "flows.py"),
        'from prefect import flow\n\n@flow\ndef sync(payment_id: int) -> None:  # noqa: FBT001\n    """Sync one payment."""\n',
      );
      const file = loadDeploymentFile("deployments:\n- name: d\n  entrypoint: flows.py:sync\n", { env: {}, workingDirectory: cwd });
      expect(file.deployments[0]?.draft.description).toBe("Sync one payment.");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("reads the docstring of a flow that follows syntax the Python parser cannot read", () => {
    const cwd = mkdtempSync(join(tmpdir(), "waymark-doc-"));
    try {
      // As in Carlos-AMG/BookScraper: a tuple target of `async with` earlier in the file.
      const source = [
        "from prefect import flow",
        "",
        "async def search(key):",
        "    async with client(key) as (api, session):",
        "        return await api.search(session)",
        "",
        '@flow(name="download_bundle")',
        "async def download_bundle_flow(",
        "    api_key: str,",
        '    output_dir: str = "./BUNDLES",',
        ") -> dict:",
        '    """',
        "    Download all books in a bundle.",
        "",
        "    Args:",
        "        api_key: the key",
        '    """',
        "    return {}",
        "",
      ].join("\n");
      writeFileSync(join(cwd, "downloader.py"), source);
      const file = loadDeploymentFile("deployments:\n- name: d\n  entrypoint: downloader.py:download_bundle_flow\n", { env: {}, workingDirectory: cwd });
      expect(file.deployments[0]?.draft).toMatchObject({
        flowName: "download_bundle",
        description: "Download all books in a bundle.\n\nArgs:\n    api_key: the key",
      });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("reads a flow file with CRLF line ends as Python does, with LF in the docstring", () => {
    const cwd = mkdtempSync(join(tmpdir(), "waymark-doc-"));
    try {
      // As CBIIT/ChildhoodCancerDataInitiative-Prefect_Pipeline's workflows/hello_world.py is saved.
      const source = 'from prefect import flow\n\n@flow\ndef hello():\n    """Say hello.\n\n    To the world.\n    """\n';
      writeFileSync(join(cwd, "hello.py"), source.replace(/\n/g, "\r\n"));
      const file = loadDeploymentFile("deployments:\n- name: d\n  entrypoint: hello.py:hello\n", { env: {}, workingDirectory: cwd });
      expect(file.deployments[0]?.draft.description).toBe("Say hello.\n\nTo the world.");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe("deploy --name with a file of one deployment, as prefect deploy --name names it", () => {
  const FILE = "deployments:\n- name: default\n  entrypoint: flows/etl.py:run_etl\n";

  it("deploys the one deployment under the name given, with a warning", () => {
    const { deployments, warnings } = load(FILE, ["staging"]);
    expect(deployments.map((d) => d.draft.name)).toEqual(["staging"]);
    expect(warnings).toEqual([expect.stringMatching(/^deployments\[0\] is named "default" in the file; deployed as "staging"/)]);
    expect(load(FILE, ["run-etl/staging"]).deployments.map((d) => d.draft.name)).toEqual(["staging"]);
  });

  it("names the blank deployment prefect init writes, when it has an entrypoint", () => {
    expect(load("deployments:\n- name: null\n  entrypoint: flows/etl.py:run_etl\n", ["nightly"]).deployments[0]?.draft.name).toBe("nightly");
  });

  it("still refuses a name that matches nothing in a file of several, or another flow's FLOW/NAME", () => {
    expect(() => load(`${FILE}- name: other\n  entrypoint: flows/etl.py:run_etl\n`, ["staging"])).toThrow(/no deployment named "staging"/);
    expect(() => load(FILE, ["reports/staging"])).toThrow(/no deployment named "reports\/staging"/);
    expect(() => load(FILE, ["staging", "prod"])).toThrow(/no deployment named "staging", "prod"/);
  });
});

describe("deploy: tags as Prefect's RunnerDeployment keeps them", () => {
  it("drops blank tags, as Prefect does, with a warning", () => {
    const { deployments } = load(`${ONE}  tags: ['', etl, '  ']\n`);
    expect(deployments[0]?.draft.tags).toEqual(["etl"]);
    expect(deployments[0]?.warnings).toEqual([
      expect.stringMatching(/^deployments\[0\]\.tags\[0\] is blank; dropped, as Prefect drops it/),
      expect.stringMatching(/tags\[2\] is blank/),
    ]);
  });

  it("refuses a tag that is not text, naming it and saying to quote it", () => {
    // AloisCRR/repossessed-assets: an alias of a list inside the list, which Prefect stores as the text "['etl', 'scraping']".
    const problems = problemsOf(() => load(`definitions:\n  t: &t [etl, scraping]\n${ONE}  tags: [*t, 3.10, yes]\n`));
    expect(problems).toEqual([
      expect.stringMatching(/^deployments\[0\]\.tags\[0\] must be text, not a list/),
      expect.stringMatching(/^deployments\[0\]\.tags\[1\] must be text, not a number; quote it/),
      expect.stringMatching(/^deployments\[0\]\.tags\[2\] must be text, not a boolean; quote it/),
    ]);
  });
});

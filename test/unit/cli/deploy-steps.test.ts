import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ProcessOptions, ProcessResult } from "../../../src/cli/deploy/steps/process";
import { expandEnvVars, shellWords, usesShellFeatures } from "../../../src/cli/deploy/steps/shell-words";
import { addStepOutputs, emptyOutputs, lookupOutput } from "../../../src/cli/deploy/step-outputs";
import { run } from "../../../src/cli/run";
import { resolveTemplates } from "../../../src/cli/template";
import { createRequestOf } from "../../../src/version/create-input";
import type { CreateVersionInput } from "../../../src/version/version.input";
import { data, fakeFetch } from "./fake-fetch";
import { noGit } from "./fake-git";

// Build and push steps as `prefect deploy` runs them, with the programs they start replaced by a
// scripted runner: what runs, in which order, with which arguments, and what reaches createVersion.

const IMAGE_ID = `sha256:${"1".repeat(64)}`;
const DIGEST = `sha256:${"d".repeat(64)}`;

interface Call {
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  input?: string;
}

type Script = (call: Call) => Partial<ProcessResult> | undefined;

/** A docker CLI and shell as a script: `--iidfile`/`--digestfile` are written as the real CLIs write them. */
function fakeRunner(script: Script, podman = false) {
  const calls: Call[] = [];
  const runner = async (program: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> => {
    const call = { program, args: [...args], cwd: options.cwd, env: { ...options.env }, ...(options.input ? { input: options.input } : {}) };
    calls.push(call);
    const fileAfter = (flag: string) => args[args.indexOf(flag) + 1];
    if (args[0] === "--version") return { code: 0, stdout: podman ? "podman version 4.3.1\n" : "Docker version 27.3.1, build ce12230\n", stderr: "" };
    if (args[0] === "build" && args.includes("--iidfile")) writeFileSync(fileAfter("--iidfile") ?? "", IMAGE_ID);
    if (args[0] === "push" && args.includes("--digestfile")) writeFileSync(fileAfter("--digestfile") ?? "", DIGEST);
    const pushOut = args[0] === "push" && !podman ? `t1: digest: ${DIGEST} size: 528\n` : "";
    return { code: 0, stdout: pushOut, stderr: "", ...script(call) };
  };
  return { runner, calls, docker: () => calls.filter((c) => c.program === "docker" && c.args[0] !== "--version").map((c) => c.args.join(" ")) };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const payload = (flowName: string, name: string) => ({
  deployment: { id: "dep_1", flowName, name, versionCount: 1, liveVersion: { id: "ver_1", number: 1, version: "v" } },
  version: {
    id: "ver_1",
    number: 1,
    version: "v",
    isLive: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    createdBy: "ci",
    contentHash: "h",
    sourceInfo: null,
    codePin: { commitSha: null, repository: null, imageDigest: null, pinned: false, warnings: [] },
  },
  change: {
    id: "chg_1",
    sequence: 1,
    kind: "CREATE",
    actor: "ci",
    reason: null,
    at: "x",
    previousVersion: null,
    liveVersion: { id: "ver_1", number: 1, version: "v" },
  },
});

async function deploy(
  file: string,
  argv: string[],
  runner: ReturnType<typeof fakeRunner>,
  env: Record<string, string> = {},
  files: Record<string, string> = {},
) {
  const cwd = mkdtempSync(join(tmpdir(), "waymark-steps-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "prefect.yaml"), file);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  const fetch = fakeFetch(data({ createVersion: payload("f", "d") }));
  let stdout = "";
  let stderr = "";
  const io = {
    env: { PATH: "/usr/bin", ...env },
    cwd,
    fetch,
    git: noGit,
    processes: runner.runner,
    sleep: async () => {},
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
  };
  const code = await run(["deploy", "--api-url", "http://w.test", ...argv], io);
  // The server's check of every deployment (dryRun) comes first; `inputs` are the creates.
  const sent = fetch.requests.map((r) => r.body.variables.input as Record<string, any>);
  const inputs = sent.filter((input) => input.dryRun !== true);
  expect(sent.filter((input) => input.dryRun === true).map(({ dryRun: _, ...rest }) => rest)).toEqual(inputs);
  return { code, stdout, stderr, inputs, cwd };
}

const noProcess = () => fakeRunner(() => ({ code: 99, stderr: "must not run" }));

describe("run_shell_script's command lines, as Prefect reads them", () => {
  it("splits words as shlex does and sends only lines with shell operators to sh -c", () => {
    expect(shellWords(`git log -1 --format="%h %s" 'a b' c\\ d`)).toEqual(["git", "log", "-1", "--format=%h %s", "a b", "c d"]);
    expect(shellWords(`echo "say \\"hi\\"" $HOME`)).toEqual(["echo", 'say "hi"', "$HOME"]);
    expect(() => shellWords(`echo "open`)).toThrow(/no closing quotation/);
    expect(usesShellFeatures("git rev-parse --short HEAD")).toBe(false);
    expect(usesShellFeatures("cat VERSION | tr -d '\\n'")).toBe(true);
    expect(usesShellFeatures("echo 'a|b' \"c>d\"")).toBe(false);
    expect(usesShellFeatures("make && make test")).toBe(true);
    expect(usesShellFeatures("a || b")).toBe(true);
  });

  it("expands $NAME and ${NAME} like string.Template.safe_substitute, leaving unknown names", () => {
    expect(expandEnvVars("v$V-${V}-$$-$NOPE-${NOPE}", { V: "1" })).toBe("v1-1-$-$NOPE-${NOPE}");
  });
});

describe("step outputs as Prefect's templating reads them", () => {
  const outputs = emptyOutputs();
  addStepOutputs(outputs, "build-image", { image: "reg/app:1", additional_tags: ["a", "b"], nested: { k: [{ v: 7 }] } });
  addStepOutputs(outputs, "sha", { stdout: "abc" });
  const lookup = (expression: string) => lookupOutput(outputs, expression);

  it("reads id.key, bare keys (the latest step's), and list indexes", () => {
    expect(lookup("build-image.image")).toEqual({ value: "reg/app:1" });
    expect(lookup("stdout")).toEqual({ value: "abc" });
    expect(lookup("build-image.nested.k[0].v")).toEqual({ value: 7 });
    expect(lookup("build-image.tag")).toEqual({ error: "step build-image has no output tag (it has: image, additional_tags, nested)" });
  });

  it("gives a whole-string placeholder the output's type, and text around it the output as text", () => {
    const resolved = resolveTemplates({ tags: "{{ build-image.additional_tags }}", label: "tags={{ build-image.additional_tags }}" }, {}, "", {
      lookupOutput: lookup,
    });
    expect(resolved).toEqual({ value: { tags: ["a", "b"], label: 'tags=["a","b"]' }, problems: [] });
  });
});

describe("build steps: run_shell_script", () => {
  const FILE = `
build:
- prefect.deployments.steps.run_shell_script:
    id: get-version
    script: |
      git describe --tags
      echo "built by $WHO" | cat
    directory: sub
    env: { WHO: ci, PORT: 8080 }
    stream_output: false
- prefect.deployments.steps.run_shell_script:
    id: tag
    script: echo $GREETING
    expand_env_vars: true
    env: { GREETING: "{{ get-version.stdout }}" }
deployments:
- name: d
  flow_name: f
  entrypoint: flows/etl.py:main
  version: "{{ get-version.stdout }}"
  work_pool: { name: pool, job_variables: { image: "reg/app:{{ tag.stdout }}" } }
`;

  it("runs each line as Prefect does and feeds trimmed stdout to version and image", async () => {
    const runner = fakeRunner((c) => {
      if (c.program === "git") return { stdout: "  v1.4.2\n" };
      if (c.program === "sh") return { stdout: "", stderr: `built by ${c.env.WHO}\n` };
      if (c.program === "echo") return { stdout: `${c.args.join(" ")}\n` };
      return undefined;
    });
    const { code, stderr, inputs, cwd } = await deploy(FILE, [], runner);
    expect(code, stderr).toBe(0);
    expect(runner.calls.map((c) => [c.program, ...c.args])).toEqual([
      ["git", "describe", "--tags"],
      ["sh", "-c", 'echo "built by $WHO" | cat'],
      ["echo", "v1.4.2"],
    ]);
    expect(runner.calls[0]).toMatchObject({ cwd: join(cwd, "sub"), env: { WHO: "ci", PORT: "8080", PATH: "/usr/bin" } });
    expect(inputs[0]).toMatchObject({ version: "v1.4.2", jobVariables: { image: "reg/app:v1.4.2" } });
    expect(stderr).toContain(" > Running run_shell_script step (build[0])...");
  });

  it("stops at the first failing line, naming the step and its stderr, and sends nothing", async () => {
    const runner = fakeRunner((c) => (c.program === "git" ? { code: 128, stderr: "fatal: No names found\n" } : undefined));
    const { code, stderr, inputs } = await deploy(FILE, [], runner);
    expect(code).toBe(2);
    expect(stderr).toContain("build[0] run_shell_script (id get-version) failed; nothing was deployed");
    expect(stderr).toContain("`run_shell_script` failed with error code 128: fatal: No names found");
    expect(runner.calls).toHaveLength(1);
    expect(inputs).toEqual([]);
  });
});

const DOCKER_FILE = `
build:
- prefect_docker.deployments.steps.build_docker_image:
    id: build-image
    requires: prefect-docker>=0.3.1
    image_name: reg.example:5000/team/app
    tag: t1
    additional_tags: [stable]
    buildargs: { PY: "3.12" }
    platform: linux/amd64
push:
- prefect_docker.deployments.steps.push_docker_image:
    id: push-image
    requires: prefect-docker>=0.3.1
    image_name: "{{ build-image.image_name }}"
    tag: "{{ build-image.tag }}"
    additional_tags: "{{ build-image.additional_tags }}"
    credentials: { username: robot, password: "{{ $REGISTRY_PASSWORD }}", registry_url: reg.example:5000 }
deployments:
- name: a
  flow_name: f
  entrypoint: flows/a.py:main
  work_pool: { name: pool, job_variables: { image: "{{ build-image.image }}" } }
- name: b
  flow_name: f
  entrypoint: flows/b.py:main
  work_pool: { name: pool, job_variables: { image: "{{ build-image.image }}" } }
`;

describe("build and push steps: prefect-docker through the docker CLI", () => {
  it("builds once for two deployments, logs in with the password on stdin, pushes every tag", async () => {
    const runner = fakeRunner(() => undefined);
    const { code, stderr, inputs, cwd } = await deploy(DOCKER_FILE, [], runner, { REGISTRY_PASSWORD: "s3cret" });
    expect(code, stderr).toBe(0);
    const commands = runner.docker().map((c) => c.replace(/\/tmp\/waymark-docker-\w+\/out/, "FILE"));
    expect(commands).toEqual([
      `build --iidfile FILE -f ${join(cwd, "Dockerfile")} -t reg.example:5000/team/app:t1 --build-arg PY=3.12 --platform linux/amd64 --pull=true ${cwd}`,
      `tag ${IMAGE_ID} reg.example:5000/team/app:stable`,
      "login --username robot --password-stdin reg.example:5000",
      "push reg.example:5000/team/app:t1",
      "push reg.example:5000/team/app:stable",
    ]);
    expect(runner.calls.find((c) => c.args[0] === "login")?.input).toBe("s3cret");
    expect(inputs.map((i) => i.jobVariables.image)).toEqual(["reg.example:5000/team/app:t1", "reg.example:5000/team/app:t1"]);
  });

  it("--pin-images stores name@digest, the digest the push reported", async () => {
    const runner = fakeRunner(() => undefined);
    const { code, stderr, inputs } = await deploy(DOCKER_FILE, ["--pin-images", "--name", "a"], runner, { REGISTRY_PASSWORD: "s" });
    expect(code, stderr).toBe(0);
    expect(inputs.map((i) => i.jobVariables.image)).toEqual([`reg.example:5000/team/app@${DIGEST}`]);
  });

  it("reads Podman's digest from --digestfile and takes the CLI from WAYMARK_DOCKER", async () => {
    const runner = fakeRunner(() => undefined, true);
    const file = DOCKER_FILE.replace(/image: "\{\{ build-image\.image \}\}"/g, 'image: "reg.example:5000/team/app@{{ push-image.digest }}"');
    const { code, stderr, inputs } = await deploy(file, [], runner, { REGISTRY_PASSWORD: "s", WAYMARK_DOCKER: "/opt/podman-wrapper" });
    expect(code, stderr).toBe(0);
    expect(runner.calls.every((c) => c.program === "/opt/podman-wrapper")).toBe(true);
    expect(runner.calls.find((c) => c.args[0] === "push")?.args).toEqual(["push", "--digestfile", expect.any(String), "reg.example:5000/team/app:t1"]);
    expect(inputs[0]?.jobVariables.image).toBe(`reg.example:5000/team/app@${DIGEST}`);
  });

  it("refuses --pin-images for an image no push step pushed", async () => {
    const runner = fakeRunner(() => undefined);
    const file = DOCKER_FILE.replace(/image: "\{\{ build-image\.image \}\}"/g, "image: reg.example:5000/team/other:1");
    const { code, stderr, inputs } = await deploy(file, ["--pin-images"], runner, { REGISTRY_PASSWORD: "s" });
    expect(code).toBe(2);
    expect(stderr).toContain("f/a: --pin-images: job_variables.image reg.example:5000/team/other:1 was not pushed by a push step");
    expect(inputs).toEqual([]);
  });

  it("says what to write instead of dockerfile: auto, before pushing anything", async () => {
    const runner = fakeRunner(() => undefined);
    const { code, stderr } = await deploy(DOCKER_FILE.replace("tag: t1\n", "tag: t1\n    dockerfile: auto\n"), [], runner, { REGISTRY_PASSWORD: "s" });
    expect(code).toBe(2);
    expect(stderr).toContain("dockerfile: auto is not supported");
    expect(stderr).toMatch(/FROM prefecthq\/prefect:3-python3\.12 .*\n\s+COPY \. \/opt\/prefect\/waymark-steps-\w+\/\n\s+WORKDIR/);
    expect(runner.docker().filter((c) => c.startsWith("push"))).toEqual([]);
  });

  it("refuses a Prefect variable in a step's inputs (the step runs now) but lets credentials name a block", async () => {
    const runner = fakeRunner(() => undefined);
    const file = DOCKER_FILE.replace("image_name: reg.example:5000/team/app", 'image_name: "{{ prefect.variables.registry }}/team/app"').replace(
      /credentials: \{.*\}/,
      'credentials: "{{ prefect.blocks.docker-registry-credentials.dev-registry }}"',
    );
    const { code, stderr } = await deploy(file, [], runner);
    expect(code).toBe(2);
    expect(stderr).toContain("build[0].build_docker_image.image_name: {{ prefect.variables.registry }} cannot be resolved here, where the step runs");
    expect(stderr).not.toContain("credentials");
    expect(runner.calls).toEqual([]);
    const ok = await deploy(
      DOCKER_FILE.replace(/credentials: \{.*\}/, 'credentials: "{{ prefect.blocks.docker-registry-credentials.dev-registry }}"'),
      [],
      runner,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain("waymark: warning: credentials {{ prefect.blocks.docker-registry-credentials.dev-registry }} is a Prefect block");
    expect(runner.docker().some((c) => c.startsWith("login"))).toBe(false);
  });

  it("refuses an unknown input before building", async () => {
    const runner = fakeRunner(() => undefined);
    const { code, stderr } = await deploy(DOCKER_FILE.replace("platform: linux/amd64", "platfrom: linux/amd64"), [], runner, { REGISTRY_PASSWORD: "s" });
    expect(code).toBe(2);
    expect(stderr).toContain("build[0].build_docker_image: unexpected input platfrom (it takes image_name, dockerfile, tag,");
    expect(runner.calls).toEqual([]);
  });

  it("refuses a push without a tag (one image, one digest), before building", async () => {
    const runner = fakeRunner(() => undefined);
    const { code, stderr } = await deploy(DOCKER_FILE.replace(/ +tag: "\{\{ build-image\.tag \}\}"\n/, ""), [], runner, { REGISTRY_PASSWORD: "s" });
    expect(code).toBe(2);
    expect(stderr).toContain('push[0].push_docker_image: tag is required, e.g. tag: "{{ build-image.tag }}" (without it Prefect pushes every local tag');
    expect(runner.calls).toEqual([]);
  });

  it("names a docker CLI that cannot be started, with the way to choose another (real child_process)", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "waymark-steps-"));
    dirs.push(cwd);
    writeFileSync(join(cwd, "prefect.yaml"), DOCKER_FILE);
    let stderr = "";
    const io = {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", WAYMARK_DOCKER: join(cwd, "no-such-docker"), REGISTRY_PASSWORD: "s" },
      cwd,
      fetch: fakeFetch(),
      git: noGit,
      sleep: async () => {},
      stdout: () => {},
      stderr: (t: string) => void (stderr += t),
    };
    expect(await run(["deploy", "--api-url", "http://w.test"], io)).toBe(2);
    expect(stderr).toContain(
      `cannot run ${join(cwd, "no-such-docker")}: not found; install Docker or Podman, or set WAYMARK_DOCKER to a docker-compatible CLI`,
    );
  });

  it("the older prefect_docker.projects.steps build pushes by default and names the image name:tag", async () => {
    const runner = fakeRunner(() => undefined);
    const file = `
build:
- prefect_docker.projects.steps.build_docker_image:
    id: build
    image_name: reg.example/app
    tag: v2
deployments:
- { name: d, flow_name: f, entrypoint: "a.py:main", work_pool: { name: p, job_variables: { image: "{{ build.image_name }}" } } }
`;
    const { code, stderr, inputs } = await deploy(file, ["--pin-images"], runner);
    expect(code, stderr).toBe(0);
    expect(runner.docker().map((c) => c.split(" ")[0])).toEqual(["build", "push"]);
    expect(inputs[0]?.jobVariables.image).toBe(`reg.example/app@${DIGEST}`);
  });
});

describe("steps Waymark does not run, and outputs given by flag", () => {
  const S3 = `
build:
- prefect.deployments.steps.run_shell_script: { id: sha, script: git rev-parse HEAD }
push:
- prefect_aws.deployments.steps.push_to_s3:
    id: push-code
    requires: prefect-aws>=0.3.4
    bucket: my-bucket
    folder: project-name
pull:
- prefect_aws.deployments.steps.pull_from_s3:
    id: pull-code
    requires: prefect-aws>=0.3.4
    bucket: "{{ push-code.bucket }}"
    folder: "{{ push-code.folder }}"
- prefect.deployments.steps.pip_install_requirements:
    directory: "{{ pull-code.directory }}"
deployments:
- { name: d, flow_name: f, entrypoint: "a.py:main", version: "{{ sha.stdout }}" }
`;

  it("refuses a step it cannot run, naming it and the way out, before running any step", async () => {
    const runner = noProcess();
    const { code, stderr, inputs } = await deploy(S3, [], runner);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "push[0]: waymark cannot run prefect_aws.deployments.steps.push_to_s3 (it runs run_shell_script, build_docker_image and push_docker_image); " +
        "do that work in the pipeline and deploy with --skip-push, adding --step-output push-code.KEY=VALUE",
    );
    expect(stderr).toContain(
      "{{ push-code.bucket }}: step push-code does not run here (see push[0]); give its output with --step-output push-code.bucket=VALUE",
    );
    expect(runner.calls).toEqual([]);
    expect(inputs).toEqual([]);
  });

  it("--skip-push needs the outputs later fields read, and says which", async () => {
    const runner = noProcess();
    const { code, stderr } = await deploy(S3, ["--skip-push"], runner);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'pull[0]["prefect_aws.deployments.steps.pull_from_s3"].bucket: unsupported placeholder {{ push-code.bucket }}: ' +
        "step push-code is skipped by --skip-push; give its output with --step-output push-code.bucket=VALUE",
    );
    expect(runner.calls).toEqual([]);
  });

  it("--skip-push with --step-output deploys, keeping the pull step's own outputs for the worker", async () => {
    const runner = fakeRunner((c) => (c.program === "git" ? { stdout: `${"a".repeat(40)}\n` } : undefined));
    const { code, stderr, inputs } = await deploy(
      S3,
      ["--skip-push", "--step-output", "push-code.bucket=b-1", "--step-output", "push-code.folder=p/1"],
      runner,
    );
    expect(code, stderr).toBe(0);
    expect(inputs[0]).toMatchObject({
      version: "a".repeat(40),
      pullSteps: [
        { "prefect_aws.deployments.steps.pull_from_s3": { id: "pull-code", requires: "prefect-aws>=0.3.4", bucket: "b-1", folder: "p/1" } },
        { "prefect.deployments.steps.pip_install_requirements": { directory: "{{ pull-code.directory }}" } },
      ],
    });
  });

  it("--skip-build and --step-output alone feed fields without running anything", async () => {
    const runner = noProcess();
    const { code, stderr, inputs } = await deploy(
      S3,
      ["--skip-build", "--skip-push", "--step-output", "sha.stdout=1.0", "--step-output", "push-code.bucket=b", "--step-output", "push-code.folder=f"],
      runner,
    );
    expect(code, stderr).toBe(0);
    expect(runner.calls).toEqual([]);
    expect(inputs[0]?.version).toBe("1.0");
  });

  it("a flag beats the output of a step that ran", async () => {
    const runner = fakeRunner(() => ({ stdout: "from-git" }));
    const file = S3.replace(/push:\n(?:- .*\n| {2}.*\n)+/, "").replace(/pull:\n(?:- .*\n| {2}.*\n)+/, "");
    const { code, stderr, inputs } = await deploy(file, ["--step-output", "sha.stdout=from-flag"], runner);
    expect(code, stderr).toBe(0);
    expect(inputs[0]?.version).toBe("from-flag");
  });

  it("rejects a malformed --step-output", async () => {
    const { code, stderr } = await deploy(S3, ["--step-output", "no-key=1"], noProcess());
    expect(code).toBe(2);
    expect(stderr).toContain("--step-output no-key=1: expected ID.KEY=VALUE");
  });
});

describe("templates that name steps", () => {
  const deployWith = (body: string, argv: string[] = [], env: Record<string, string> = {}) =>
    deploy(`${body}\ndeployments:\n- { name: d, flow_name: f, entrypoint: "a.py:main" }\n`, argv, noProcess(), env);

  it("keeps {{ id.key }} of an earlier pull step and refuses an id no earlier pull step has, naming the field", async () => {
    const pull = `pull:
- prefect.deployments.steps.git_clone: { id: clone-step, repository: "https://github.com/o/r.git", branch: main }
- prefect.deployments.steps.pip_install_requirements: { directory: "{{ clone-step.directory }}", requirements_file: requirements.txt }
- prefect.deployments.steps.run_shell_script: { script: "ls {{ later.directory }}" }
- prefect.deployments.steps.git_clone: { id: later, repository: "https://github.com/o/r.git" }`;
    const { code, stderr } = await deployWith(pull);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'pull[2]["prefect.deployments.steps.run_shell_script"].script: unsupported placeholder {{ later.directory }}: ' +
        "no build or push step has the id later, and no --step-output gives later.directory; no earlier pull step has the id later",
    );
    expect(stderr).not.toContain("clone-step");
    const ok = await deployWith(pull.split("\n").slice(0, 3).join("\n"));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.inputs[0]?.pullSteps[1]).toEqual({
      "prefect.deployments.steps.pip_install_requirements": { directory: "{{ clone-step.directory }}", requirements_file: "requirements.txt" },
    });
  });

  it("warns of a field naming an unknown step (dropped, as Prefect drops it); --strict refuses it before any step runs", async () => {
    const file = `build:
- prefect.deployments.steps.run_shell_script: { id: a, script: "true" }
deployments:
- { name: d, flow_name: f, entrypoint: "a.py:main", work_pool: { name: p, job_variables: { image: "{{ biuld-image.image }}" } } }
`;
    const message =
      "deployments[0].work_pool.job_variables.image: {{ biuld-image.image }} cannot be resolved at deploy time " +
      "(no build or push step has the id biuld-image); field dropped";
    const runner = noProcess();
    const strict = await deploy(file, ["--strict"], runner);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(message);
    expect(runner.calls).toEqual([]);
    const lenient = await deploy(
      file,
      [],
      fakeRunner(() => undefined),
    );
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toContain(`warning: ${message}`);
    expect(lenient.inputs[0]?.jobVariables ?? {}).not.toHaveProperty("image");
  });

  it("--runtime-env keeps an unset {{ $NAME }} in pull steps for the worker, and tells the server so", async () => {
    const pull = `pull:
- prefect.deployments.steps.git_clone: { repository: "https://github.com/o/r.git", commit_sha: "{{ $RUN_SHA }}" }`;
    const refused = await deployWith(pull);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("environment variable RUN_SHA is not set ({{ $RUN_SHA }}); --runtime-env RUN_SHA keeps it for the worker");
    const kept = await deployWith(pull, ["--runtime-env", "RUN_SHA"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.inputs[0]).toMatchObject({
      pullSteps: [{ "prefect.deployments.steps.git_clone": { commit_sha: "{{ $RUN_SHA }}" } }],
      runtimeEnv: ["RUN_SHA"],
    });
    const set = await deployWith(pull, ["--runtime-env", "RUN_SHA"], { RUN_SHA: "b".repeat(40) });
    expect(set.inputs[0]?.pullSteps[0]["prefect.deployments.steps.git_clone"].commit_sha).toBe("b".repeat(40));
    expect(set.inputs[0]).not.toHaveProperty("runtimeEnv");
  });

  it("--runtime-env does not reach fields outside pull steps; --allow-empty lets a variable be empty", async () => {
    const file = `deployments:\n- { name: d, flow_name: f, entrypoint: "a.py:main", description: "x{{ $NOTE }}", tags: ["{{ $TAG }}"] }\n`;
    const unset = await deploy(file, ["--runtime-env", "NOTE", "--runtime-env", "TAG"], noProcess());
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("deployments[0].description: environment variable NOTE is not set");
    const empty = await deploy(file, [], noProcess(), { NOTE: "", TAG: "t" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("environment variable NOTE is empty ({{ $NOTE }}); --allow-empty NOTE accepts that");
    const allowed = await deploy(file, ["--allow-empty", "NOTE"], noProcess(), { NOTE: "", TAG: "t" });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.inputs[0]).toMatchObject({ description: "x", tags: ["t"] });
  });

  it("a deployment's own build section replaces the file's, and build: null means none", async () => {
    const runner = fakeRunner((c) => ({ stdout: c.args.join(" ") }));
    const file = `build:
- prefect.deployments.steps.run_shell_script: { id: v, script: echo top }
deployments:
- { name: a, flow_name: f, entrypoint: "a.py:main", version: "{{ v.stdout }}" }
- name: b
  flow_name: f
  entrypoint: "a.py:main"
  version: "{{ v.stdout }}"
  build:
  - prefect.deployments.steps.run_shell_script: { id: v, script: echo own }
- { name: c, flow_name: f, entrypoint: "a.py:main", build: null }
`;
    const { code, stderr, inputs } = await deploy(file, [], runner);
    expect(code, stderr).toBe(0);
    expect(inputs.map((i) => i.version ?? null)).toEqual(["top", "own", null]);
  });
});

describe("steps and deploy-time fields together", () => {
  const file = `build:
- prefect.deployments.steps.run_shell_script:
    id: version-step
    script: echo {{ prefect.variables.release }}
push:
- prefect.deployments.steps.run_shell_script:
    id: publish
    script: echo pushed-{{ version-step.stdout }}
deployments:
- name: nightly
  entrypoint: etl.py:etl
  version: "{{ version-step.stdout }}"
  description: "{{ publish.stdout }} for {{ prefect.variables.team }}"
  work_pool: { name: pool, job_variables: { team: "{{ prefect.variables.team }}" } }
- name: own
  entrypoint: etl.py:etl
  version: "{{ own-step.stdout }}"
  build:
  - prefect.deployments.steps.run_shell_script: { id: own-step, script: echo own }
  push: null
`;
  const code = { "etl.py": 'from prefect import flow\n\n@flow(name="Nightly ETL")\ndef etl():\n    """Loads the night\'s data."""\n' };
  const variables = ["--variable", "release=1.2.3", "--variable", "team=data"];

  it("--variable feeds a build step's input, step outputs feed fields, and --strict finds nothing to warn of in build: or push:", async () => {
    const runner = fakeRunner((c) => ({ stdout: c.args.join(" ") }));
    const { code: exit, stdout, stderr, inputs } = await deploy(file, ["--strict", ...variables], runner, {}, code);
    expect(exit, stderr).toBe(0);
    expect(stdout).not.toContain("warning");
    expect(runner.calls.map((c) => [c.program, ...c.args].join(" "))).toEqual(["echo 1.2.3", "echo pushed-1.2.3", "echo own"]);
    expect(inputs[0]).toMatchObject({
      flowName: "Nightly ETL",
      version: "1.2.3",
      description: "pushed-1.2.3 for data",
      jobVariables: { team: "{{ prefect.variables.team }}" },
    });
    expect(inputs[1]).toMatchObject({ flowName: "Nightly ETL", version: "own", description: "Loads the night's data." });
  });

  it("a Prefect variable without --variable in a step's input fails before any step runs, naming the step and the flag", async () => {
    const runner = noProcess();
    const { code: exit, stderr, inputs } = await deploy(file, ["--strict", "--variable", "team=data"], runner, {}, code);
    expect(exit).toBe(2);
    expect(stderr).toContain("build[0].run_shell_script.script: {{ prefect.variables.release }} cannot be resolved here, where the step runs");
    expect(stderr).toContain("give the value itself or a {{ $VARIABLE }}, or pass --variable release=VALUE");
    expect(runner.calls).toEqual([]);
    expect(inputs).toEqual([]);
  });
});

describe("createVersion accepts {{ $NAME }} only where the client said it kept it", () => {
  const input = (extra: Partial<CreateVersionInput>) =>
    ({
      flowName: "f",
      name: "d",
      entrypoint: "a.py:main",
      pullSteps: [{ "prefect.deployments.steps.git_clone": { repository: "https://x/r.git", commit_sha: "{{ $SHA }}" } }],
      ...extra,
    }) as CreateVersionInput;

  it("in pull steps, for the names in runtimeEnv; never elsewhere", () => {
    expect(() => createRequestOf(input({}))).toThrow(
      "input.pullSteps[0].prefect.deployments.steps.git_clone.commit_sha contains the unresolved template {{ $SHA }}",
    );
    expect(createRequestOf(input({ runtimeEnv: ["SHA"] })).snapshot.pullSteps).toHaveLength(1);
    expect(() => createRequestOf(input({ runtimeEnv: ["SHA"], version: "{{ $SHA }}" }))).toThrow("input.version contains the unresolved template {{ $SHA }}");
    expect(() => createRequestOf(input({ runtimeEnv: ["OTHER"] }))).toThrow("unresolved template {{ $SHA }}");
  });
});

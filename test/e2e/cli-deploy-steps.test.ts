import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Run } from "../support/cli";
import { startRegistry, type Registry } from "../support/registry";
import { startServer, type TestServer } from "../support/server";

// `waymark deploy` running a file's build and push steps with real tools, as a CI job would: the built
// CLI as a child process, Debian's Podman (through a small wrapper named by WAYMARK_DOCKER) building
// FROM scratch images, Debian's docker-registry on a loopback port, and a server on MariaDB.

const PODMAN = resolve(__dirname, "../support/podman-docker.sh");
const sha = (c: string) => c.repeat(40);

/**
 * A monorepo as Prefect's docker-git recipe and its monorepo guide lay it out: one image for two
 * projects, built and pushed once, its tag read from a VERSION file by run_shell_script; pull steps that
 * clone and install from the clone's directory; and an ops deployment with no image and its own pull.
 */
const monorepo = (registry: string) => `
name: monorepo
prefect-version: 3.1.0

build:
- prefect.deployments.steps.run_shell_script:
    id: get-version
    script: cat VERSION
    stream_output: false
- prefect_docker.deployments.steps.build_docker_image:
    id: build-image
    requires: prefect-docker>=0.3.1
    image_name: ${registry}/data/flows
    tag: "{{ get-version.stdout }}"
    dockerfile: Dockerfile

push:
- prefect_docker.deployments.steps.push_docker_image:
    id: push-image
    requires: prefect-docker>=0.3.1
    image_name: "{{ build-image.image_name }}"
    tag: "{{ build-image.tag }}"

pull:
- prefect.deployments.steps.git_clone:
    id: clone-step
    repository: https://github.com/acme/monorepo.git
    commit_sha: "{{ $GITHUB_SHA }}"
- prefect.deployments.steps.pip_install_requirements:
    directory: "{{ clone-step.directory }}"
    requirements_file: requirements.txt

deployments:
- name: ingest
  version: "{{ get-version.stdout }}"
  entrypoint: projects/ingest/flow.py:ingest
  work_pool:
    name: k8s
    job_variables:
      image: "{{ build-image.image }}"
- name: report
  version: "{{ get-version.stdout }}"
  entrypoint: projects/report/flow.py:build_report
  work_pool:
    name: k8s
    job_variables:
      image: "{{ build-image.image }}"
- name: cleanup
  entrypoint: projects/ops/flow.py:cleanup
  build: null
  push: null
  pull:
  - prefect.deployments.steps.git_clone:
      repository: https://github.com/acme/monorepo.git
      commit_sha: "{{ $RUN_SHA }}"
  work_pool:
    name: process
`;

function githubEnv(commit: string, run: string): Record<string, string> {
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_SHA: commit,
    GITHUB_REF_NAME: "main",
    GITHUB_REPOSITORY: "acme/monorepo",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: run,
    GITHUB_RUN_ATTEMPT: "1",
  };
}

describe("waymark deploy runs build and push steps with podman and a registry", () => {
  let server: TestServer;
  let registry: Registry;
  let dir: string;
  let podmanDir: string;

  const waymark = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    runCli(server.url, dir, args, { WAYMARK_DOCKER: PODMAN, WAYMARK_TEST_PODMAN_DIR: podmanDir, ...env });

  const versions = async (name: string) => {
    const result = await server.gql(
      `query($f: String!, $n: String!) { deploymentByName(flowName: $f, name: $n) {
        versions { edges { node { number version jobVariables pullSteps codePin { commitSha imageDigest pinned warnings } } } } } }`,
      { f: name === "report" ? "build-report" : name, n: name },
    );
    return result.data.deploymentByName.versions.edges.map((e: any) => e.node);
  };

  beforeAll(async () => {
    [server, registry] = await Promise.all([startServer("mysql"), startRegistry()]);
    dir = mkdtempSync(join(tmpdir(), "waymark-steps-e2e-"));
    podmanDir = mkdtempSync(join(tmpdir(), "waymark-podman-"));
    mkdirSync(join(podmanDir, "tmp"));
    writeFileSync(join(dir, "prefect.yaml"), monorepo(registry.host));
    writeFileSync(join(dir, "VERSION"), "1.4.2\n");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\nCOPY VERSION /VERSION\n");
  }, 180_000);
  afterAll(async () => {
    await Promise.all([server?.close(), registry?.stop()]);
    for (const path of [dir, podmanDir]) if (path) rmSync(path, { recursive: true, force: true });
  });

  it("builds once, pushes, and without --pin-images stores the tag it pushed (not pinned)", async () => {
    const run = await waymark(["deploy", "--name", "ingest", "--name", "report"], githubEnv(sha("a"), "201"));
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stderr.match(/Running build_docker_image step/g)).toHaveLength(1);
    expect(run.stderr.match(/Running push_docker_image step/g)).toHaveLength(1);
    expect(run.stderr.match(/Running run_shell_script step/g)).toHaveLength(2);
    expect(await registry.digestOf("data/flows", "1.4.2")).toMatch(/^sha256:[0-9a-f]{64}$/);
    const [ingest] = await versions("ingest");
    expect(ingest).toMatchObject({
      number: 1,
      version: "1.4.2",
      jobVariables: { image: `${registry.host}/data/flows:1.4.2` },
      codePin: { commitSha: sha("a"), imageDigest: null, pinned: false, warnings: ["image uses tag 1.4.2 (not a digest)"] },
    });
  });

  it("with --pin-images records the digest the registry holds, pinning the code of every deployment that uses the image", async () => {
    writeFileSync(join(dir, "VERSION"), "1.5.0\n");
    const run = await waymark(["deploy", "--pin-images", "--json", "--name", "ingest", "--name", "report"], githubEnv(sha("b"), "202"));
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const digest = await registry.digestOf("data/flows", "1.5.0");
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const deployed = JSON.parse(run.stdout).deployed;
    expect(deployed.map((d: any) => [d.deployment.name, d.version.version, d.version.codePin.pinned])).toEqual([
      ["ingest", "1.5.0", true],
      ["report", "1.5.0", true],
    ]);
    for (const name of ["ingest", "report"]) {
      const [latest] = await versions(name);
      expect(latest).toMatchObject({
        version: "1.5.0",
        jobVariables: { image: `${registry.host}/data/flows@${digest}` },
        codePin: { commitSha: sha("b"), imageDigest: digest, pinned: true, warnings: [] },
      });
      expect(latest.pullSteps).toEqual([
        { "prefect.deployments.steps.git_clone": { id: "clone-step", repository: "https://github.com/acme/monorepo.git", commit_sha: sha("b") } },
        { "prefect.deployments.steps.pip_install_requirements": { directory: "{{ clone-step.directory }}", requirements_file: "requirements.txt" } },
      ]);
    }
  });

  it("keeps {{ $RUN_SHA }} for the worker only with --runtime-env, and the server stores it as a runtime placeholder", async () => {
    const refused = await waymark(["deploy", "--name", "cleanup"], githubEnv(sha("c"), "203"));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("deployments[2].pull[0]");
    expect(refused.stderr).toContain("environment variable RUN_SHA is not set ({{ $RUN_SHA }}); --runtime-env RUN_SHA keeps it for the worker");
    const run = await waymark(["deploy", "--name", "cleanup", "--runtime-env", "RUN_SHA"], githubEnv(sha("c"), "204"));
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stderr).not.toContain("Running");
    const [cleanup] = await versions("cleanup");
    expect(cleanup).toMatchObject({
      pullSteps: [{ "prefect.deployments.steps.git_clone": { commit_sha: "{{ $RUN_SHA }}" } }],
      codePin: { pinned: false, warnings: ["commit_sha is a runtime placeholder"] },
    });
  });

  it("fails on a build that fails, naming the step, and creates nothing", async () => {
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\nCOPY MISSING-FILE /x\n");
    writeFileSync(join(dir, "VERSION"), "1.6.0\n");
    const before = (await versions("ingest")).length;
    const run = await waymark(["deploy", "--pin-images", "--runtime-env", "RUN_SHA"], githubEnv(sha("d"), "205"));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("build[1] build_docker_image (id build-image) failed; nothing was deployed");
    expect(await registry.digestOf("data/flows", "1.6.0")).toBeNull();
    expect((await versions("ingest")).length).toBe(before);
  });
});

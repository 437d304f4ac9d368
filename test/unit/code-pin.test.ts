import { describe, expect, it } from "vitest";
import { codePinOf, validatePullSteps } from "../../src/version/code-pin";

const SHA40 = "0123456789abcdef0123456789abcdef01234567";
const SHA64 = "a".repeat(64);
const DIGEST = `sha256:${"0f".repeat(32)}`;
const clone = (args: Record<string, unknown>, key = "prefect.deployments.steps.git_clone") => ({ [key]: args });
const REPO = "https://github.com/o/r.git";

describe("codePinOf", () => {
  it("is pinned by a full commit SHA (40 or 64 hex), with either step key form", () => {
    expect(codePinOf([clone({ repository: REPO, commit_sha: SHA40 })], {})).toEqual({
      commitSha: SHA40,
      repository: REPO,
      imageDigest: null,
      pinned: true,
      warnings: [],
    });
    expect(codePinOf([clone({ repository: REPO, commit_sha: SHA64 }, "git_clone")], {}).pinned).toBe(true);
  });

  it("is pinned by an image digest", () => {
    expect(codePinOf([], { image: `reg.example.com:5000/team/img:1.2@${DIGEST}` })).toEqual({
      commitSha: null,
      repository: null,
      imageDigest: DIGEST,
      pinned: true,
      warnings: [],
    });
  });

  it("needs every code source pinned", () => {
    const pin = codePinOf([clone({ repository: REPO, commit_sha: SHA40 })], { image: "img:v1" });
    expect(pin).toMatchObject({ commitSha: SHA40, pinned: false, warnings: ["image uses tag v1 (not a digest)"] });
    const two = [clone({ repository: REPO, commit_sha: SHA40 }), clone({ repository: REPO, branch: "main" })];
    expect(codePinOf(two, { image: `img@${DIGEST}` })).toMatchObject({
      pinned: false,
      warnings: ["git_clone follows branch main"],
    });
  });

  it("is not pinned when there is no code source", () => {
    const steps = [{ "prefect.deployments.steps.set_working_directory": { directory: "/app" } }];
    expect(codePinOf(steps, { cpu: 1 })).toEqual({
      commitSha: null,
      repository: null,
      imageDigest: null,
      pinned: false,
      warnings: [],
    });
  });

  it.each([
    [{ repository: REPO, branch: "main" }, "git_clone follows branch main", null],
    [{ repository: REPO }, "git_clone follows the default branch", null],
    [{ repository: REPO, commit_sha: "" }, "git_clone follows the default branch", null],
    [{ repository: REPO, commit_sha: "0123abc" }, "commit_sha is abbreviated", "0123abc"],
    [{ repository: REPO, commit_sha: "{{ prefect.variables.sha }}" }, "commit_sha is a runtime placeholder", null],
    [{ repository: REPO, commit_sha: "{{ctx.deployment.sha}}" }, "commit_sha is a runtime placeholder", null],
    [{ repository: REPO, commit_sha: "{{ $GITHUB_SHA }}" }, "commit_sha is a runtime placeholder", null], // kept for the worker by --runtime-env
  ])("warns for git_clone %j", (args, warning, commitSha) => {
    expect(codePinOf([clone(args)], {})).toEqual({
      commitSha,
      repository: REPO,
      imageDigest: null,
      pinned: false,
      warnings: [warning],
    });
  });

  it.each([
    ["img:latest", "image uses tag latest"],
    ["img", "image uses tag latest (implicitly: no tag or digest)"],
    ["localhost:5000/img", "image uses tag latest (implicitly: no tag or digest)"],
    ["reg/img:v1", "image uses tag v1 (not a digest)"],
    ["reg/img@sha256:abc", "image digest is not sha256:<64 hex>"],
    ["{{ prefect.variables.image }}", "image is a runtime placeholder"],
  ])("warns for image %s", (image, warning) => {
    expect(codePinOf([], { image })).toEqual({
      commitSha: null,
      repository: null,
      imageDigest: null,
      pinned: false,
      warnings: [warning],
    });
  });

  it("counts other pull_* code steps as unpinnable sources", () => {
    const s3 = { "prefect_aws.deployments.steps.pull_from_s3": { bucket: "b" } };
    const pin = codePinOf([clone({ repository: REPO, commit_sha: SHA40 }), s3], {});
    expect(pin).toMatchObject({ pinned: false, warnings: ["pull_from_s3 cannot be pinned to a version"] });
  });

  it("strips credentials from the repository URL", () => {
    const pin = codePinOf([clone({ repository: "https://user:ghp_token@github.com/o/r.git", commit_sha: SHA40 })], {});
    expect(pin.repository).toBe("https://github.com/o/r.git");
    const placeholder = "https://{{ prefect.blocks.secret.token }}@github.com/o/r.git";
    expect(codePinOf([clone({ repository: placeholder })], {}).repository).toBe("https://github.com/o/r.git");
    expect(codePinOf([clone({ repository: "git@github.com:o/r.git" })], {}).repository).toBe("git@github.com:o/r.git");
  });
});

describe("validatePullSteps", () => {
  it("accepts full and abbreviated SHAs, runtime placeholders, and branches", () => {
    const steps = [
      clone({ repository: REPO, commit_sha: SHA40 }),
      clone({ repository: REPO, commit_sha: "ABCD" }),
      clone({ repository: REPO, commit_sha: "{{ prefect.variables.release_sha }}" }),
      clone({ repository: REPO, branch: "main" }),
      { "prefect.deployments.steps.run_shell_script": { script: "echo hi" } },
    ];
    expect(validatePullSteps(steps)).toEqual([]);
  });

  it("names each problem with its step", () => {
    const steps = [
      clone({ repository: REPO, commit_sha: "abc" }),
      clone({ repository: REPO, commit_sha: "main" }, "git_clone"),
      clone({ repository: REPO, commit_sha: SHA40, branch: "main" }, "git_clone"),
      clone({ repository: REPO, commit_sha: 1234567 }, "git_clone"),
      clone({ commit_sha: SHA40 }, "git_clone"),
      { a: {}, b: {} },
      clone({ repository: REPO, commit_sha: "b".repeat(65) }, "git_clone"),
    ];
    expect(validatePullSteps(steps)).toEqual([
      'pullSteps[0]["prefect.deployments.steps.git_clone"].commit_sha "abc" ' + "is not 4–64 hex characters or a runtime placeholder",
      'pullSteps[1].git_clone.commit_sha "main" is not 4–64 hex characters or a runtime placeholder',
      "pullSteps[2].git_clone: commit_sha cannot be combined with branch; use one of them",
      "pullSteps[3].git_clone.commit_sha must be a quoted string",
      "pullSteps[4].git_clone.repository is required",
      "pullSteps[5] must be a mapping with exactly one step",
      `pullSteps[6].git_clone.commit_sha "${"b".repeat(65)}" is not 4–64 hex characters or a runtime placeholder`,
    ]);
    expect(validatePullSteps("nope")).toEqual(["pullSteps must be a list"]);
  });
});

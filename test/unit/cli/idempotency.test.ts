import { describe, expect, it } from "vitest";
import { ciIdempotencyKey, idempotencyKeyFor } from "../../../src/cli/idempotency";

const etl = { flowName: "etl", name: "prod" };
const github = { GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "9001", GITHUB_RUN_ATTEMPT: "1", GITHUB_REPOSITORY: "o/r" };

describe("ciIdempotencyKey", () => {
  it("is stable for the same run, attempt and deployment", () => {
    const key = ciIdempotencyKey(github, etl);
    expect(key).toMatch(/^ci-github-9001-1-[0-9a-f]{32}$/);
    expect(ciIdempotencyKey({ ...github }, { ...etl })).toBe(key);
  });

  it("differs per deployment, per attempt and per repository", () => {
    const key = ciIdempotencyKey(github, etl);
    expect(ciIdempotencyKey(github, { flowName: "etl", name: "dev" })).not.toBe(key);
    expect(ciIdempotencyKey(github, { flowName: "etl/prod", name: "" })).not.toBe(key);
    expect(ciIdempotencyKey({ ...github, GITHUB_RUN_ATTEMPT: "2" }, etl)).not.toBe(key);
    expect(ciIdempotencyKey({ ...github, GITHUB_REPOSITORY: "o/other" }, etl)).not.toBe(key);
  });

  it.each([
    ["gitlab", { GITLAB_CI: "true", CI_PIPELINE_ID: "77", CI_JOB_ID: "1234" }, /^ci-gitlab-77-1234-/],
    ["bitbucket", { BITBUCKET_BUILD_NUMBER: "12", BITBUCKET_REPO_UUID: "{u}" }, /^ci-bitbucket-12-/],
    ["azure", { TF_BUILD: "True", BUILD_BUILDID: "555", SYSTEM_JOBATTEMPT: "3" }, /^ci-azure-555-3-/],
  ])("derives a key on %s", (_platform, env, pattern) => {
    expect(ciIdempotencyKey(env, etl)).toMatch(pattern);
  });

  it("keeps Bitbucket build numbers of different repositories apart", () => {
    const a = ciIdempotencyKey({ BITBUCKET_BUILD_NUMBER: "12", BITBUCKET_REPO_UUID: "{a}" }, etl);
    expect(ciIdempotencyKey({ BITBUCKET_BUILD_NUMBER: "12", BITBUCKET_REPO_UUID: "{b}" }, etl)).not.toBe(a);
  });

  it("is null outside CI or when the run ids are missing", () => {
    expect(ciIdempotencyKey({}, etl)).toBeNull();
    expect(ciIdempotencyKey({ GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "9001" }, etl)).toBeNull();
  });
});

describe("idempotencyKeyFor", () => {
  it("falls back to a random key outside CI", () => {
    expect(idempotencyKeyFor({}, etl, () => "r4nd0m")).toBe("cli-r4nd0m");
    expect(idempotencyKeyFor({}, etl)).not.toBe(idempotencyKeyFor({}, etl));
    expect(idempotencyKeyFor(github, etl)).toBe(ciIdempotencyKey(github, etl));
  });
});

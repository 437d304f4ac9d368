import { describe, expect, it } from "vitest";
import { ciIdempotencyKey } from "../../../src/cli/idempotency";
import { CI_PROVIDERS, detectSourceInfo } from "../../../src/cli/source-info/detect";

const noGit = async () => null;
const etl = { flowName: "etl", name: "prod" };

/** The environment of a run on `provider`: its marker (what detect reads) and its run ids. */
function runOn(provider: (typeof CI_PROVIDERS)[number], base: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...base, ...Object.fromEntries(provider.run.ids.map((name, i) => [name, String(i + 7)])) };
  for (const marker of ["GITHUB_ACTIONS", "GITLAB_CI", "BITBUCKET_BUILD_NUMBER", "TF_BUILD"]) {
    if (!provider.detect(env) && provider.detect({ ...env, [marker]: "1" })) env[marker] = "1";
  }
  return env;
}

// One table: the provider that source detection picks is the one whose run the key is derived from.
describe("the CI provider table's runs", () => {
  it.each(CI_PROVIDERS.map((p) => [p.type, p] as const))("%s derives the key from its own run ids", async (_type, provider) => {
    const env = runOn(provider);
    expect((await detectSourceInfo(env, noGit)).type).toBe(provider.type);
    expect(ciIdempotencyKey(env, etl)).toMatch(new RegExp(`^ci-${provider.run.platform}-${provider.run.ids.map((_, i) => i + 7).join("-")}-[0-9a-f]{32}$`));
  });

  it("follows detection's order when several platforms look present", async () => {
    const [first, second] = CI_PROVIDERS;
    const env = runOn(second!, runOn(first!));
    expect((await detectSourceInfo(env, noGit)).type).toBe(first!.type);
    expect(ciIdempotencyKey(env, etl)).toMatch(new RegExp(`^ci-${first!.run.platform}-`));
  });
});

import { describe, expect, it } from "vitest";
import { resolveTemplates } from "../../../src/cli/template";

const env = { GITHUB_SHA: "abc123", TAG: "v1", EMPTY: "", BLANK: "  ", REGISTRY: "reg.example.com" };

describe("resolveTemplates", () => {
  it("replaces a whole-string template", () => {
    expect(resolveTemplates("{{ $GITHUB_SHA }}", env)).toEqual({ value: "abc123", problems: [] });
  });

  it("replaces inline templates, with or without spaces, several per string", () => {
    const { value, problems } = resolveTemplates("{{$REGISTRY}}/img:{{  $TAG }}-{{ $TAG}}", env);
    expect(problems).toEqual([]);
    expect(value).toBe("reg.example.com/img:v1-v1");
  });

  it("walks objects and arrays, leaving keys and non-strings alone", () => {
    const input = { "{{ $TAG }}": ["x {{ $TAG }}", 3, true, null, { deep: ["{{ $GITHUB_SHA }}"] }] };
    expect(resolveTemplates(input, env).value).toEqual({ "{{ $TAG }}": ["x v1", 3, true, null, { deep: ["abc123"] }] });
  });

  it("does not re-scan substituted values", () => {
    expect(resolveTemplates("{{ $X }}", { X: "{{ $TAG }}" }).value).toBe("{{ $TAG }}");
  });

  it("keeps runtime placeholders as written", () => {
    const input = {
      token: "{{ prefect.blocks.secret.github-token }}",
      image: "{{prefect.variables.image}}",
      run: "run-{{ ctx.flow_run.id }}",
    };
    expect(resolveTemplates(input, env)).toEqual({ value: input, problems: [] });
  });

  it("reports an unset variable with the variable and the field path", () => {
    const input = { deployments: [{ work_pool: { job_variables: { image: "my-image@{{ $IMAGE_DIGEST }}" } } }] };
    const { value, problems } = resolveTemplates(input, env);
    expect(problems).toEqual([
      {
        path: "deployments[0].work_pool.job_variables.image",
        placeholder: "{{ $IMAGE_DIGEST }}",
        message: expect.stringMatching(/^deployments\[0\]\.work_pool\.job_variables\.image: .*IMAGE_DIGEST is not set/),
      },
    ]);
    expect(value).toEqual(input);
  });

  it("reports an empty or blank variable rather than substituting an empty string", () => {
    const { problems } = resolveTemplates({ a: "{{ $EMPTY }}", b: "{{ $BLANK }}" }, env);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^a: .*EMPTY is empty/), expect.stringMatching(/^b: .*BLANK is empty/)]);
  });

  it("reports any other placeholder, such as a build-step output, by name", () => {
    const { problems } = resolveTemplates({ image: "{{ build_image.image }}" }, env);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/^image: unsupported placeholder \{\{ build_image\.image \}\}/);
    expect(resolveTemplates("{{ prefect.variables. }}", env).problems).toHaveLength(1);
    expect(resolveTemplates("{{ }}", env).problems).toHaveLength(1);
  });

  it("collects every problem, each with its field path", () => {
    const input = {
      pull: [{ "prefect.deployments.steps.git_clone": { commit_sha: "{{ $MISSING_SHA }}" } }],
      deployments: [{ tags: ["{{ $A }}", "ok-{{ $TAG }}", "{{ $B }}-{{ step.out }}"] }],
    };
    expect(resolveTemplates(input, env).problems.map((p) => p.path)).toEqual([
      'pull[0]["prefect.deployments.steps.git_clone"].commit_sha',
      "deployments[0].tags[0]",
      "deployments[0].tags[2]",
      "deployments[0].tags[2]",
    ]);
  });

  it("prefixes paths with a base path", () => {
    expect(resolveTemplates({ x: "{{ $NOPE }}" }, env, "deployments[3]").problems[0]?.path).toBe("deployments[3].x");
  });
});

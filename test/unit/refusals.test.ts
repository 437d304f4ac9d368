import { describe, expect, it } from "vitest";
import { literalSecretsInPullSteps, stringProblems } from "../../src/version/refusals";

const unresolvedTemplates = (value: unknown, path: string) => stringProblems(value, path).templates;
const secretsInUrls = (value: unknown, path: string) => stringProblems(value, path).urls;

describe("unresolvedTemplates", () => {
  it("finds {{ $VAR }} with or without spaces, naming the field and the template", () => {
    expect(unresolvedTemplates({ jobVariables: { image: "reg/etl@{{ $IMAGE_DIGEST }}" } }, "input")).toEqual([
      "input.jobVariables.image contains the unresolved template {{ $IMAGE_DIGEST }}: resolve it before sending",
    ]);
    expect(unresolvedTemplates("{{$TAG}}", "input.version")).toEqual(["input.version contains the unresolved template {{$TAG}}: resolve it before sending"]);
    expect(unresolvedTemplates("x-{{   $_UNDER_1 }}-y", "v")).toHaveLength(1);
  });

  it("finds them in lists, nested objects and keys, one finding per string", () => {
    const value = { tags: ["ok", "{{ $TAG }}"], steps: [{ git_clone: { branch: "{{ $BRANCH }}" } }], labels: { "{{ $KEY }}": "x" } };
    expect(unresolvedTemplates(value, "input")).toEqual([
      "input.tags[1] contains the unresolved template {{ $TAG }}: resolve it before sending",
      "input.steps[0].git_clone.branch contains the unresolved template {{ $BRANCH }}: resolve it before sending",
      "input.labels.{{ $KEY }} (key) contains the unresolved template {{ $KEY }}: resolve it before sending",
    ]);
  });

  it("leaves runtime placeholders, other braces and non-strings alone", () => {
    const value = {
      a: "{{ prefect.variables.image }}",
      b: "{{ ctx.flow_run.id }}",
      c: "{{ prefect.blocks.secret.x }}",
      d: "${HOME}",
      e: "$HOME",
      f: "{{ $1 }}",
      g: "{ $X }",
      h: 12,
      i: null,
      j: true,
      k: "{{ build_image.image }}",
    };
    expect(unresolvedTemplates(value, "input")).toEqual([]);
  });
});

describe("secretsInUrls", () => {
  it.each([
    "https://user:secret@github.com/org/repo.git",
    "postgres://app:s3cret@db:5432/app",
    "git+ssh://me:pw@host/repo",
    "clone https://x:y@host now",
    "https://:token@github.com/org/repo",
    "https://ghp_abcdef123@github.com/org/repo",
    "https://github_pat_11AB@github.com/org/repo",
    "https://glpat-abc@gitlab.com/org/repo",
    "https://x-access-token@github.com/org/repo",
    "https://oauth2@gitlab.com/org/repo",
  ])("finds the credentials in %j", (url) => {
    expect(secretsInUrls({ repository: url }, "input.pullSteps[0].git_clone")).toEqual([
      "input.pullSteps[0].git_clone.repository contains a URL with credentials; use a {{ prefect.blocks.* }} credentials block instead",
    ]);
  });

  it.each([
    "https://github.com/org/repo.git",
    "https://git@github.com/org/repo.git",
    "https://api.example.com:8443/v1",
    "https://github.com:443/org/repo@v1",
    "git@github.com:org/repo.git",
    "user:password",
    "mailto:me@example.com",
  ])("accepts %j", (url) => {
    expect(secretsInUrls({ url }, "input")).toEqual([]);
  });

  it("names every field that holds one", () => {
    const value = { a: ["https://u:p@h/x"], b: { c: "redis://:pw@cache:6379" }, "https://u:p@h": 1 };
    expect(secretsInUrls(value, "input").map((p) => p.split(" ")[0])).toEqual(["input.a[0]", "input.b.c", "input.https://u:p@h"]);
  });
});

describe("literalSecretsInPullSteps", () => {
  const clone = (args: Record<string, unknown>) => [{ git_clone: { repository: "https://github.com/org/repo.git", ...args } }];

  it.each([
    ["access_token", "ghp_abc"],
    ["password", "hunter2"],
    ["credentials", { username: "me", password: "pw" }],
    ["credentials", "me:pw"],
    ["token", "abc"],
    ["private_key", "-----BEGIN KEY-----"],
    ["access_token", "{{ prefect.variables.token }}"],
    ["access_token", "{{ prefect.blocks.secret.x }} extra"],
    ["access_token", 12345],
  ])("refuses a literal %s %j, naming the step and key", (key, value) => {
    expect(literalSecretsInPullSteps(clone({ [key]: value }))).toEqual([
      `pullSteps[0].git_clone.${key} must be a {{ prefect.blocks.* }} placeholder, not a literal secret`,
    ]);
  });

  it("accepts block placeholders, with or without spaces, and null", () => {
    const steps = [
      { "prefect.deployments.steps.git_clone": { access_token: "{{ prefect.blocks.secret.github-token }}" } },
      { git_clone: { credentials: "{{prefect.blocks.github-credentials.my_creds}}", password: null } },
      { git_clone: { access_token: "  {{ prefect.blocks.secret.x }}  " } },
    ];
    expect(literalSecretsInPullSteps(steps)).toEqual([]);
  });

  it("checks every step, whatever its name, and names each by index", () => {
    const steps = [
      { git_clone: { repository: "https://github.com/org/repo.git" } },
      { "acme.pull_from_vault": { password: "pw" } },
      { "prefect.deployments.steps.git_clone": { access_token: "t", credentials: "c" } },
    ];
    expect(literalSecretsInPullSteps(steps)).toEqual([
      "pullSteps[1].acme.pull_from_vault.password must be a {{ prefect.blocks.* }} placeholder, not a literal secret",
      "pullSteps[2].prefect.deployments.steps.git_clone.access_token must be a {{ prefect.blocks.* }} placeholder, not a literal secret",
      "pullSteps[2].prefect.deployments.steps.git_clone.credentials must be a {{ prefect.blocks.* }} placeholder, not a literal secret",
    ]);
  });

  it.each(["Password", "PASSWORD", "ACCESS_TOKEN", "access-token", "Access-Token", "accessToken", "Private-Key", "Credentials"])(
    "matches %s whatever its case and separators",
    (key) => {
      expect(literalSecretsInPullSteps(clone({ [key]: "literal" }))).toEqual([
        `pullSteps[0].git_clone.${key} must be a {{ prefect.blocks.* }} placeholder, not a literal secret`,
      ]);
    },
  );

  it("finds secret keys at any depth of a step's arguments, in objects and lists", () => {
    const steps = [
      { "acme.pull": { auth: { basic: { Password: "pw" } }, sources: [{ url: "s3://b" }, { credentials: { key: "k" } }] } },
      { "acme.pull": { auth: { token: "{{ prefect.blocks.secret.t }}" }, mirrors: [[{ "access-token": "t" }]] } },
    ];
    expect(literalSecretsInPullSteps(steps)).toEqual([
      "pullSteps[0].acme.pull.auth.basic.Password must be a {{ prefect.blocks.* }} placeholder, not a literal secret",
      "pullSteps[0].acme.pull.sources[1].credentials must be a {{ prefect.blocks.* }} placeholder, not a literal secret",
      "pullSteps[1].acme.pull.mirrors[0][0].access-token must be a {{ prefect.blocks.* }} placeholder, not a literal secret",
    ]);
  });

  it("leaves keys that merely contain a secret word alone", () => {
    expect(literalSecretsInPullSteps(clone({ token_path: "/var/run/t", password_file: "/etc/pw", tokens: 3 }))).toEqual([]);
  });

  it("ignores steps that are not mappings and keys that hold no secret", () => {
    expect(literalSecretsInPullSteps(["git_clone", null, 3, [{ password: "x" }], { git_clone: "x" }, clone({ branch: "main", username: "me" })[0]])).toEqual(
      [],
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type GraphQLResult, type TestServer } from "../support/server";
import { CREATE_VERSION, DEPLOYMENT, createVersion } from "../support/operations";
import { MAX_JSON_DEPTH } from "../../src/json-limits";

// docs/design.md, "Deployments", "Refused input" and "GraphQL contract": createVersion refuses bad input with BAD_USER_INPUT and a
// message naming the field, stores nothing when it refuses, and keeps any name it accepts exactly.

const BY_NAME = `query ByName($flowName: String!, $name: String!) {
  deploymentByName(flowName: $flowName, name: $name) { id flowName name versionCount paused }
}`;

const DEPLOYMENTS_OF_FLOW = `query Flow($flowName: String!) {
  deployments(filter: { flowName: $flowName }) { totalCount edges { node { id flowName name } } }
}`;

const FULL_SHA = "0123456789abcdef0123456789abcdef01234567";
const BLOCK = "{{ prefect.blocks.secret.github-token }}";

/** A JSON object nested `depth` objects deep: depth 1 is `{}`. */
const nested = (depth: number): Record<string, unknown> => (depth <= 1 ? {} : { a: nested(depth - 1) });

describe.each(STORES)("createVersion input on %s", (store) => {
  let server: TestServer;
  let counter = 0;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  /** A fresh, valid deployment name for each case, so no case can see another's rows. */
  const fresh = () => ({ flowName: "refusals", name: `case-${++counter}` });

  const byName = async (flowName: string, name: string) => {
    const result = await server.gql(BY_NAME, { flowName, name });
    expect(result.errors ?? []).toEqual([]);
    return result.data.deploymentByName as { id: string; flowName: string; name: string; versionCount: number; paused: boolean } | null;
  };

  /**
   * Sends `input` (with a fresh name unless it names its target) and expects one BAD_USER_INPUT
   * error whose message contains every fragment, and no deployment under that name afterwards.
   */
  function refuse(input: Record<string, unknown>, ...fragments: string[]): Promise<GraphQLResult<any>> {
    const target = "deploymentId" in input || "flowName" in input || "name" in input ? {} : fresh();
    return refuseExactly({ ...target, ...input }, ...fragments);
  }

  /** As `refuse`, but sends `input` without adding a target. */
  async function refuseExactly(input: Record<string, unknown>, ...fragments: string[]): Promise<GraphQLResult<any>> {
    const full: Record<string, unknown> = { entrypoint: "flows/etl.py:main", ...input };
    const result = await server.gql(CREATE_VERSION, { input: full });
    expect(codes(result), JSON.stringify(result.errors)).toEqual(["BAD_USER_INPUT"]);
    for (const fragment of fragments) expect(result.errors![0]!.message).toContain(fragment);
    expect(result.data ?? null).toBeNull();
    if (typeof full.flowName === "string" && typeof full.name === "string") {
      expect(await byName(full.flowName, full.name)).toBeNull();
    }
    return result;
  }

  /** Creates a version from `input` with a fresh name; fails loudly on any error. */
  const accept = (input: Record<string, unknown>) => createVersion(server, { ...fresh(), ...input });

  describe("deployment names and target", () => {
    it.each([
      [{ flowName: "", name: "prod" }, "flowName must not be empty"],
      [{ flowName: "etl", name: "" }, "name must not be empty"],
      [{ flowName: "etl", name: "a/b" }, 'name must not contain "/"'],
      [{ flowName: "etl/x", name: "prod" }, 'flowName must not contain "/"'],
      [{ flowName: "etl", name: " prod" }, "name must not start or end with white space"],
      [{ flowName: "etl", name: "prod " }, "name must not start or end with white space"],
      [{ flowName: "etl", name: "prod\t" }, "name must not start or end with white space"],
      [{ flowName: "\u00a0etl", name: "prod" }, "flowName must not start or end with white space"],
      [{ flowName: "etl ", name: "prod" }, "flowName must not start or end with white space"],
    ])("refuses %j", async (input, message) => {
      await refuse(input, message);
    });

    it("refuses deploymentId together with flowName and name, and changes nothing", async () => {
      const existing = await accept({});
      const result = await refuse({ deploymentId: existing.deployment.id, flowName: "refusals", name: "other", settings: { paused: true } }, "deploymentId");
      expect(result.errors![0]!.message).toContain("not both");
      const after = (await server.gql(DEPLOYMENT, { id: existing.deployment.id })).data.deployment;
      expect(after).toMatchObject({ versionCount: 1, paused: false, liveVersion: { id: existing.version.id } });
    });

    it("refuses neither deploymentId nor flowName and name, or only half a name", async () => {
      await refuseExactly({}, "deploymentId", "flowName and name");
      await refuse({ flowName: "refusals" }, "flowName and name");
      await refuse({ name: "lonely" }, "flowName and name");
    });
  });

  describe("JSON shapes", () => {
    it.each([
      ["labels", ["a", "b"], "a list"],
      ["labels", "team=data", "a string"],
      ["parameters", [1, 2], "a list"],
      ["parameters", "x=1", "a string"],
      ["jobVariables", [{ image: "x" }], "a list"],
      ["jobVariables", "image: x", "a string"],
      ["jobVariables", 5, "a number"],
    ])("refuses %s given as %j", async (field, value, described) => {
      await refuse({ [field]: value }, `${field} must be a JSON object, got ${described}`);
    });

    it.each([
      [{ git_clone: { repository: "https://github.com/org/repo.git" } }, "an object"],
      ["git_clone", "a string"],
    ])("refuses pullSteps given as %j", async (pullSteps, described) => {
      await refuse({ pullSteps }, `pullSteps must be a JSON list, got ${described}`);
    });

    it("refuses a pull step that is not a mapping", async () => {
      await refuse({ pullSteps: ["git_clone"] }, "pullSteps[0]");
    });

    it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels`, async () => {
      const message = (field: string) => `${field} is nested deeper than ${MAX_JSON_DEPTH}`;
      await refuse({ labels: nested(MAX_JSON_DEPTH + 1) }, message("labels"));
      await refuse({ parameters: { outer: nested(MAX_JSON_DEPTH) } }, message("parameters"));
      await refuse({ jobVariables: nested(30) }, message("jobVariables"));
      await refuse({ pullSteps: [nested(MAX_JSON_DEPTH)] }, message("pullSteps"));
      await refuse({ settings: { schedules: [nested(MAX_JSON_DEPTH)] } }, message("settings.schedules"));
    });

    it(`keeps JSON nested exactly ${MAX_JSON_DEPTH} levels, the most the limit allows`, async () => {
      expect((await accept({ labels: nested(MAX_JSON_DEPTH) })).version.labels).toEqual(nested(MAX_JSON_DEPTH));
      expect((await accept({ pullSteps: [nested(MAX_JSON_DEPTH - 1)] })).version.pullSteps).toEqual([nested(MAX_JSON_DEPTH - 1)]);
    });
  });

  describe("sizes", () => {
    it("refuses more than 100 tags and keeps 100", async () => {
      const tags = Array.from({ length: 101 }, (_, i) => `t${i}`);
      await refuse({ tags }, "tags");
      expect((await accept({ tags: tags.slice(0, 100) })).version.tags).toEqual(tags.slice(0, 100));
    });

    it("refuses a tag longer than 200 characters", async () => {
      await refuse({ tags: ["ok", "t".repeat(201)] }, "tags");
    });

    it.each([
      ["entrypoint", 1000],
      ["version", 200],
    ])("refuses %s over %i characters and keeps exactly that many", async (field, max) => {
      await refuse({ [field]: "e".repeat(max + 1) }, field);
      expect((await accept({ [field]: "e".repeat(max) })).version[field]).toBe("e".repeat(max));
    });

    it("refuses flowName and name over 200 characters and keeps exactly 200", async () => {
      await refuse({ flowName: "f".repeat(201), name: "prod" }, "flowName");
      await refuse({ flowName: "refusals", name: "n".repeat(201) }, "name");
      const created = await createVersion(server, { flowName: "f".repeat(200), name: "n".repeat(200) });
      expect(created.deployment).toMatchObject({ flowName: "f".repeat(200), name: "n".repeat(200) });
    });

    it("refuses an empty entrypoint and an empty version name", async () => {
      await refuse({ entrypoint: "  " }, "entrypoint must not be empty");
      await refuse({ version: " " }, "version must not be empty");
    });
  });

  describe("git_clone pull steps", () => {
    const clone = (args: Record<string, unknown>) => [{ git_clone: { repository: "https://github.com/org/repo.git", ...args } }];

    it.each(["main", "xyz", "abc", "g".repeat(40), "a".repeat(65)])("refuses commit_sha %j", async (commit_sha) => {
      await refuse({ pullSteps: clone({ commit_sha }) }, "pullSteps[0].git_clone.commit_sha", commit_sha);
    });

    it("refuses commit_sha combined with branch, under the short and the full step name", async () => {
      await refuse({ pullSteps: clone({ commit_sha: FULL_SHA, branch: "main" }) }, "pullSteps[0].git_clone", "cannot be combined with branch");
      const full = [{ "prefect.deployments.steps.git_clone": { repository: "https://github.com/org/repo.git", commit_sha: FULL_SHA, branch: "main" } }];
      await refuse({ pullSteps: full }, "prefect.deployments.steps.git_clone", "cannot be combined with branch");
    });

    it("refuses a git_clone without a repository", async () => {
      await refuse({ pullSteps: [{ git_clone: { branch: "main" } }] }, "pullSteps[0].git_clone.repository is required");
    });

    it("accepts a full SHA, an abbreviated SHA, a runtime placeholder, or a branch alone", async () => {
      for (const args of [{ commit_sha: FULL_SHA }, { commit_sha: "abcd" }, { commit_sha: "{{ prefect.variables.release_sha }}" }, { branch: "main" }]) {
        expect((await accept({ pullSteps: clone(args) })).version.pullSteps).toEqual(clone(args));
      }
    });
  });

  describe("secrets", () => {
    it.each([
      ["access_token", "ghp_0123456789abcdef"],
      ["access_token", "{{ prefect.variables.github_token }}"],
      ["password", "hunter2"],
      ["credentials", { username: "me", password: "hunter2" }],
      ["credentials", "me:hunter2"],
    ])("refuses a literal %s (%j) in a pull step", async (key, value) => {
      await refuse(
        { pullSteps: [{ git_clone: { repository: "https://github.com/org/repo.git", [key]: value } }] },
        `pullSteps[0].git_clone.${key}`,
        "prefect.blocks",
      );
    });

    it("refuses a literal password in any pull step, not only git_clone", async () => {
      await refuse({ pullSteps: [{ "acme.steps.pull_from_vault": { password: "hunter2" } }] }, "password");
    });

    it("accepts {{ prefect.blocks.* }} placeholders in secret-bearing keys and stores them unchanged", async () => {
      const pullSteps = [
        {
          "prefect.deployments.steps.git_clone": {
            repository: "https://github.com/org/repo.git",
            access_token: BLOCK,
            credentials: "{{prefect.blocks.github-credentials.my-creds}}",
          },
        },
      ];
      expect((await accept({ pullSteps })).version.pullSteps).toEqual(pullSteps);
    });

    it.each([
      [{ pullSteps: [{ git_clone: { repository: "https://deploy:s3cret@github.com/org/repo.git" } }] }, "pullSteps[0].git_clone.repository"],
      [{ jobVariables: { env: { DATABASE_URL: "postgres://app:s3cret@db:5432/app" } } }, "jobVariables.env.DATABASE_URL"],
      [{ parameters: { note: "clone https://x-access-token:abc@github.com/org/repo" } }, "parameters.note"],
      [{ labels: { origin: "https://ghp_0123456789@github.com/org/repo" } }, "labels.origin"],
      [{ sourceInfo: { type: "GIT", url: "https://me:hunter2@github.com/org/repo" } }, "sourceInfo.url"],
      [{ sourceInfo: { type: "GIT", repository: "https://me:hunter2@gitlab.com/org/repo" } }, "sourceInfo.repository"],
    ])("refuses a URL with a password in %j", async (input, field) => {
      await refuse(input, field, "credentials");
    });

    it("accepts URLs with a user but no password, and with a port", async () => {
      const jobVariables = { repo: "https://git@github.com/org/repo.git", api: "https://api.example.com:8443/v1", ssh: "git@github.com:org/repo.git" };
      expect((await accept({ jobVariables })).version.jobVariables).toEqual(jobVariables);
    });
  });

  describe("unresolved templates", () => {
    it.each([
      [{ jobVariables: { image: "reg.example.com/etl@{{ $IMAGE_DIGEST }}" } }, "jobVariables.image"],
      [{ description: "built from {{$IMAGE_DIGEST}}" }, "description"],
      [{ tags: ["ok", "{{ $TAG }}"] }, "tags[1]"],
      [{ version: "{{ $VERSION }}" }, "version"],
      [{ entrypoint: "flows/{{ $FILE }}.py:main" }, "entrypoint"],
      [{ labels: { "{{ $LABEL_KEY }}": "x" } }, "labels"],
      [{ pullSteps: [{ git_clone: { repository: "https://github.com/org/repo.git", branch: "{{ $BRANCH }}" } }] }, "pullSteps[0].git_clone.branch"],
      [{ sourceInfo: { type: "GIT", branch: "{{ $BRANCH }}" } }, "sourceInfo.branch"],
    ])("refuses an unresolved {{ $VAR }} in %j", async (input, field) => {
      await refuse(input, field, "unresolved");
    });

    it("accepts runtime placeholders and stores them unchanged", async () => {
      const jobVariables = { image: "{{ prefect.variables.etl_image }}", env: { RUN: "{{ ctx.flow_run.id }}", TOKEN: BLOCK } };
      const parameters = { when: "{{ctx.flow_run.scheduled_start_time}}" };
      const created = await accept({ jobVariables, parameters });
      expect(created.version.jobVariables).toEqual(jobVariables);
      expect(created.version.parameters).toEqual(parameters);
    });
  });

  describe("source info", () => {
    it.each(["ftp://example.com/repo", "javascript:alert(1)", "github.com/org/repo", "https://exa mple.com"])("refuses the url %j", async (url) => {
      await refuse({ sourceInfo: { type: "GIT", url } }, "sourceInfo.url");
    });

    it.each(["main", "xyz123", "abc", "a".repeat(65)])("refuses the commitSha %j", async (commitSha) => {
      await refuse({ sourceInfo: { type: "GIT", commitSha } }, "sourceInfo.commitSha");
    });

    it("accepts http and https URLs and stores the commit in lower case", async () => {
      const created = await accept({ sourceInfo: { type: "GITHUB", url: "http://github.com/org/repo", commitSha: FULL_SHA.toUpperCase() } });
      expect(created.version.sourceInfo).toMatchObject({ url: "http://github.com/org/repo", commitSha: FULL_SHA });
      expect(created.version.version).toBe(FULL_SHA.slice(0, 8));
    });
  });

  it("reports several problems at once, each naming its field", async () => {
    const result = await refuse(
      {
        flowName: "a/b",
        name: " prod",
        labels: ["x"],
        jobVariables: { image: "etl@{{ $IMAGE_DIGEST }}" },
        sourceInfo: { type: "GIT", url: "ftp://example.com" },
      },
      'flowName must not contain "/"',
      "name must not start or end with white space",
      "labels must be a JSON object",
      "jobVariables.image",
      "sourceInfo.url",
    );
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions!.problems).toHaveLength(5);
  });

  describe("names kept exactly", () => {
    const roundTrip = async (flowName: string, name: string) => {
      const created = await createVersion(server, { flowName, name });
      expect(created.deployment).toMatchObject({ flowName, name });
      const found = await byName(flowName, name);
      expect(found).toMatchObject({ id: created.deployment.id, flowName, name });
      const byId = (await server.gql(DEPLOYMENT, { id: created.deployment.id })).data.deployment;
      expect(byId).toMatchObject({ flowName, name });
      const listed = (await server.gql(DEPLOYMENTS_OF_FLOW, { flowName })).data.deployments;
      expect(listed.edges.map((e: { node: { name: string } }) => e.node.name)).toContain(name);
      return created.deployment.id;
    };

    it("stores and reads back unicode names", async () => {
      await roundTrip("flüsse-ß", "données-😀");
      await roundTrip("数据流", "部署 ✓ 🚀");
    });

    it("stores and reads back SQL metacharacters as plain text", async () => {
      const before = await accept({});
      await roundTrip("x'; DROP TABLE deployment; --", `x'; DROP TABLE deployment; --`);
      await roundTrip('quote"flow', `back\\slash %_ '' ""`);
      expect((await server.gql(DEPLOYMENT, { id: before.deployment.id })).data.deployment).toMatchObject({ id: before.deployment.id });
    });

    it("treats names differing only in case as different deployments", async () => {
      const upper = await roundTrip("Etl", "prod");
      const lower = await roundTrip("etl", "prod");
      const capitalName = await roundTrip("etl", "Prod");
      expect(new Set([upper, lower, capitalName]).size).toBe(3);
      expect(await byName("ETL", "prod")).toBeNull();
      expect(await byName("etl", "PROD")).toBeNull();
      const again = await createVersion(server, { flowName: "Etl", name: "prod" });
      expect(again.deployment.id).toBe(upper);
      expect(again.version.number).toBe(2);
      expect((await byName("etl", "prod"))!.versionCount).toBe(1);
    });

    it("treats differently normalised unicode as different names", async () => {
      const composed = await roundTrip("unicode", "caf\u00e9");
      const decomposed = await roundTrip("unicode", "cafe\u0301");
      expect(composed).not.toBe(decomposed);
    });
  });
});

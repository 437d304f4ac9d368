import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODE_DESCRIPTIONS, ErrorCode } from "../../src/errors";
import { CREATE_VERSION } from "../support/operations";
import { adminHeaders, startServer, STORES, type GraphQLResult, type TestServer } from "../support/server";

type Problem = { path: Array<string | number>; message: string };
const problemsOf = (result: GraphQLResult) => (result.errors ?? []).map((e) => ({ code: e.extensions?.code, problems: e.extensions?.problems as Problem[] }));

// Errors as data the tools can type: the closed code list in the schema, and every BAD_USER_INPUT's problems with their paths.
describe.each(STORES)("error codes and problems on %s", (store) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(store);
  });
  afterAll(() => server?.close());

  it("lists the closed code list as the ErrorCode enum, every value described", async () => {
    const type = (await server.gql(`{ __type(name: "ErrorCode") { kind enumValues { name description } } }`)).data.__type;
    expect(type.kind).toBe("ENUM");
    const names = type.enumValues.map((v: { name: string }) => v.name).sort();
    expect(names).toEqual(Object.keys(ERROR_CODE_DESCRIPTIONS).sort());
    expect(names).toEqual(expect.arrayContaining([...Object.values(ErrorCode), "INTERNAL_SERVER_ERROR", "GRAPHQL_VALIDATION_FAILED"]));
    for (const value of type.enumValues) expect(value.description, value.name).toMatch(/\w/);
  });

  it("a refused createVersion: one problem per field, each at its path", async () => {
    const input = { flowName: "a/b", name: " prod", entrypoint: "a.py:f", labels: ["x"], jobVariables: { image: "etl@{{ $IMAGE_DIGEST }}" } };
    const [error] = problemsOf(await server.gql(CREATE_VERSION, { input }));
    expect(error!.code).toBe("BAD_USER_INPUT");
    expect(error!.problems).toHaveLength(4);
    expect(error!.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        ["input", "flowName"],
        ["input", "name"],
        ["input", "labels"],
        ["input", "jobVariables", "image"],
      ]),
    );
    for (const problem of error!.problems) expect(problem.message).toMatch(/\w/);
  });

  it("class-validator input errors: every constraint, not just the first", async () => {
    const result = await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { name: "x".repeat(101), scopes: [] } });
    const [error] = problemsOf(result);
    expect(error!.code).toBe("BAD_USER_INPUT");
    expect(error!.problems.map((p) => p.path).sort()).toEqual([
      ["input", "name"],
      ["input", "scopes"],
    ]);
  });

  it("variable coercion errors: each names its variable and the place in it", async () => {
    const result = await server.gql(CREATE_VERSION, { input: { name: "x", flowName: "y", tags: [1, "b"], version: 7 } });
    const errors = problemsOf(result);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const error of errors) {
      expect(error.code).toBe("BAD_USER_INPUT");
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]!.path[0]).toBe("input");
    }
    expect(errors.flatMap((e) => e.problems.map((p) => p.path))).toEqual(
      expect.arrayContaining([
        ["input", "entrypoint"],
        ["input", "tags", 0],
        ["input", "version"],
      ]),
    );
  });

  it("a refusal of the request as a whole has one problem with an empty path", async () => {
    const [error] = problemsOf(await server.gql(`{ deployments(first: 1, last: 1) { totalCount } }`));
    expect(error).toEqual({ code: "BAD_USER_INPUT", problems: [{ path: [], message: "Pass first or last, not both" }] });
  });

  it("input refused before the GraphQL pipeline (a number too large) carries problems too", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...adminHeaders },
      body: '{"query":"query($n: Int) { deployments(first: $n) { totalCount } }","variables":{"n":1e400}}',
    });
    const [error] = problemsOf((await response.json()) as GraphQLResult);
    expect(error!.code).toBe("BAD_USER_INPUT");
    expect(error!.problems).toEqual([{ path: [], message: expect.stringMatching(/\w/) }]);
  });
});

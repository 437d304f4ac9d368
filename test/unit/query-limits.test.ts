import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { buildWaymarkSchema } from "../../src/schema/build";
import { QUERY_LIMITS, queryLimitError } from "../../src/limits/query-limits";

const check = async (query: string, variables?: Record<string, unknown>) =>
  queryLimitError(await buildWaymarkSchema(), parse(query), variables, null)?.message ?? null;

describe("query limits", () => {
  it("charge a page per item: a page of pages is refused, a single page is not", async () => {
    expect(await check(`{ deployments(first: 100) { edges { node { versions(first: 100) { edges { node { id entrypoint tags labels } } } } } } }`)).toMatch(/cost 60301 exceeds/);
    expect(await check(`{ deployments(first: 100) { edges { node { id name flowName } } } }`)).toBeNull();
  });

  it("take the page size from variables and use the default page size when none is given", async () => {
    const q = `query($n: Int) { deployments(first: $n) { edges { node { versions { edges { node { id entrypoint tags labels } } } } } } }`;
    expect(await check(q, { n: 100 })).toMatch(/cost/);
    expect(await check(q, { n: 1 })).toBeNull();
  });

  it("count depth through fragments and inline fragments, and aliases everywhere", async () => {
    const deep = `{ deployments { edges { node { ...D } } } } fragment D on Deployment { versions { edges { node { deployment { versions { edges { node { ... on DeploymentVersion { deployment { liveVersion { deployment { name } } } } } } } } } } } }`;
    expect(await check(deep)).toMatch(/depth 13 exceeds the limit of 12/);
    expect((await check(deep.replace("deployment { name }", "name"))) ?? "").not.toMatch(/depth/);
    const aliases = `{ ${Array.from({ length: QUERY_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    expect(await check(aliases)).toMatch(/31 aliases/);
  });

  it("let every client's standard introspection query through", async () => {
    const { getIntrospectionQuery } = await import("graphql");
    expect(await check(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }))).toBeNull();
  });

  it("refuse variables nested deeper than the limit", async () => {
    let v: unknown = 1;
    for (let i = 0; i <= QUERY_LIMITS.maxVariablesDepth; i++) v = [v];
    expect(await check(`query($v: JSON) { __typename }`, { v })).toMatch(/nested deeper/);
  });
});

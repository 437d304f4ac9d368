import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { buildWaymarkSchema } from "../../src/schema/build";
import { QUERY_LIMITS, queryLimitError } from "../../src/limits/query-limits";
import { responseSizeError } from "../../src/limits/response-size";
import { SchemaFacts } from "../../src/limits/schema-facts";

/** One app's worth of schema facts, as createApp makes them. */
let made: Promise<SchemaFacts> | undefined;
const schemaFacts = () => (made ??= buildWaymarkSchema().then((schema) => new SchemaFacts(schema)));

const check = async (query: string, variables?: Record<string, unknown>) =>
  queryLimitError(await schemaFacts(), parse(query), variables, null)?.message ?? null;

describe("query limits", () => {
  it("charge a page per item: a page of pages is refused, a single page is not", async () => {
    expect(await check(`{ deployments(first: 100) { edges { node { versions(first: 100) { edges { node { id entrypoint tags labels } } } } } } }`)).toMatch(
      /cost 60301 exceeds/,
    );
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
    expect(
      await check(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true })),
    ).toBeNull();
  });

  it("refuse variables nested deeper than the limit", async () => {
    let v: unknown = 1;
    for (let i = 0; i <= QUERY_LIMITS.maxVariablesDepth; i++) v = [v];
    expect(await check(`query($v: JSON) { __typename }`, { v })).toMatch(/nested deeper/);
  });
});

/** A chain of `links` fragments, each spreading the next one twice, ending in `leaf`: 2^(links-1) leaves once expanded. */
const fragmentChain = (links: number, leaf = "__typename") =>
  `query { ...F1 } ${Array.from({ length: links - 1 }, (_, i) => `fragment F${i + 1} on Query { ...F${i + 2} ...F${i + 2} }`).join(" ")} fragment F${links} on Query { ${leaf} }`;
/** `copies` aliases of `selection` side by side. */
const fanOut = (copies: number, selection: string) => Array.from({ length: copies }, (_, i) => `a${i}: ${selection}`).join(" ");
/** `width` aliases of every type's fields' types' fields: as deep as graphql's own introspection rule lets lists nest. */
const introspectionNest = (width: number) => `{ __schema { ${fanOut(width, "types { fields { type { fields { name type { name } } } } }")} } }`;

const timed = async (query: string, variables?: Record<string, unknown>) => {
  const facts = await schemaFacts();
  const document = parse(query, { maxTokens: 20_000 });
  // CPU time, not wall time: on a shared machine the process may wait for a core for longer than the check takes.
  const started = process.cpuUsage();
  const error = queryLimitError(facts, document, variables, null);
  const { user, system } = process.cpuUsage(started);
  return { ms: (user + system) / 1000, message: error?.message ?? null, code: error?.extensions.code ?? null };
};
/** Generous: the checks measured take 0.1–3 ms once warm; the first of a kind also compiles the walk. */
const BOUND_MS = 50;

describe("query limits on hostile documents", () => {
  it.each([10, 15, 20, 25, 30, 35, 40])("refuse a chain of %i fragments, measured once per fragment, within the bound", async (links) => {
    const { ms, message } = await timed(fragmentChain(links));
    expect(ms).toBeLessThan(BOUND_MS);
    // 2^(links-1) __typename once expanded: one per field, and as many same-named fields side by side for validation to compare.
    if (2 ** (links - 1) <= QUERY_LIMITS.maxCost)
      expect(message).toMatch(/^The query selects the same fields too often \(\d+ pairs to compare; the limit is 10000\)$/);
    else expect(message).toMatch(/^Query cost \d+ exceeds the limit of 10000/);
  });

  it("refuse the same fields selected side by side so often that validation would compare too many pairs", async () => {
    // 150 × 149 / 2 pairs, each comparing totalCount with totalCount.
    expect(await check(`{ ${"deployments { totalCount } ".repeat(150)} }`)).toMatch(/same fields too often \(22350 pairs/);
    expect(await check(`{ ${"deployments { totalCount } ".repeat(50)} }`)).toBeNull();
    const nested = `{ ${`deployments(first: 1) { edges { node { ${"versions(first: 1) { edges { node { id number } } } ".repeat(10)} } } } `.repeat(10)} }`;
    expect(await check(nested)).toMatch(/same fields too often/);
    const spread = `{ ${Array.from({ length: 80 }, (_, i) => `...F${i}`).join(" ")} } ${Array.from({ length: 80 }, (_, i) => `fragment F${i} on Query { deployments { edges { node { id name } } } }`).join(" ")}`;
    expect(await check(spread)).toMatch(/same fields too often/);
    const { getIntrospectionQuery } = await import("graphql");
    expect(await check(getIntrospectionQuery())).toBeNull();
  });

  it.each([10, 20, 40])("count aliases and depth through a chain of %i fragments", async (links) => {
    expect((await timed(fragmentChain(links, "a: __typename"))).message).toMatch(/aliases; the limit is 30/);
    const path = [
      "deployments",
      "edges",
      "node",
      "versions",
      "edges",
      "node",
      "deployment",
      "versions",
      "edges",
      "node",
      "deployment",
      "liveVersion",
      "deployment",
    ];
    const deep = `${path.join(" { ")} { name ${"} ".repeat(path.length)}`;
    expect((await timed(fragmentChain(links, deep))).message).toMatch(/^Query depth 13 exceeds/);
  });

  it("refuse a cost past 10,000 measured nodes instead of letting it through (a page of pages padded with a chain)", async () => {
    const heavy = `deployments(first: 100) { edges { node { versions(first: 100) { edges { node { id entrypoint tags labels } } } } } }`;
    const { message, ms } = await timed(fragmentChain(30, `${heavy} ${"__typename ".repeat(50)}`));
    expect(message).toMatch(/^Query cost \d+ exceeds/);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("fail closed with QUERY_TOO_COMPLEX when a document has more selections to check than the budget", async () => {
    const { message, code, ms } = await timed(`{ ${"__typename ".repeat(QUERY_LIMITS.maxVisits + 1)} }`);
    expect([code, message]).toEqual(["QUERY_TOO_COMPLEX", `The query has more than ${QUERY_LIMITS.maxVisits} selections to check`]);
    expect(ms).toBeLessThan(BOUND_MS);
    const many = `${"{ ...F } ".repeat(2_000)} fragment F on Query { deployments { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }`;
    expect((await timed(many)).message).toMatch(/selections to check/);
  });

  it.each([31, 300, 3_000])("refuse a fan-out of %i aliases within the bound", async (copies) => {
    const { message, ms } = await timed(`{ ${fanOut(copies, "__typename")} }`);
    expect(message).toBe(`The query uses ${copies} aliases; the limit is 30`);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("weigh every list of objects, not only connections", async () => {
    // 30 × (1 + 100 × 4): a list of keys counts as a page of the largest size.
    expect(await check(`{ ${fanOut(30, "apiKeys { id name scopes createdAt }")} }`)).toMatch(/^Query cost 12030 exceeds/);
    expect(await check(`{ apiKeys { id name scopes createdAt } }`)).toBeNull();
  });

  it.each([12, 20, 30])("count introspection: %i aliases of every type's fields' fields are refused", async (width) => {
    const { message, code, ms } = await timed(introspectionNest(width));
    expect(code).toBe("QUERY_TOO_COMPLEX");
    expect(message).toMatch(/^Introspection cost \d+ exceeds the limit of \d+/);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("count introspection depth and aliases, and let small introspection through", async () => {
    expect(await check(`{ __type(name: "Query") { ${"ofType { ".repeat(20)} name ${"} ".repeat(20)} } }`)).toMatch(
      /^Introspection depth 21 exceeds the limit of 16/,
    );
    expect(await check(`{ ${fanOut(31, `__type(name: "Query") { name }`)} }`)).toMatch(/31 aliases/);
    expect(await check(`{ __schema { types { name fields { name type { name } } } } }`)).toBeNull();
  });

  it("leave variables that do not fit the operation to execution, unless the operation is too costly whatever they are", async () => {
    const light = `query($n: Int) { deployments(first: $n) { totalCount } }`;
    expect(await check(light, { n: "many" })).toBeNull();
    expect(await check(light, { n: 1.5 })).toBeNull();
    const heavy = `query($n: Int) { deployments(first: $n) { edges { node { versions(first: 100) { edges { node { ${"id ".repeat(200)} } } } } } } }`;
    expect(await check(heavy, { n: "many" })).toMatch(/^Query cost \d+ exceeds/);
    expect(await check(`query($n: NoSuchType) { deployments(first: $n) { totalCount } }`, { n: 1 })).toBeNull();
  });

  it("measure invalid documents without failing: validation reports them", async () => {
    expect(await check(`{ deployments { ...A } } fragment A on DeploymentConnection { ...B } fragment B on DeploymentConnection { ...A }`)).toBeNull();
    expect(await check(`{ noSuchField { a b c } ...Missing ... on NoSuchType { x } }`)).toBeNull();
  });
});

describe("response size cap", () => {
  it("refuses data larger than the cap and passes smaller data", async () => {
    const big = { deployments: Array.from({ length: 20 }, () => ({ labels: "x".repeat(1024 * 1024) })) };
    expect(responseSizeError(big)?.extensions.code).toBe("QUERY_TOO_COMPLEX");
    expect(responseSizeError({ deployments: big.deployments.slice(0, 2) })).toBeNull();
    expect(responseSizeError({ a: 1 }, QUERY_LIMITS.maxResponseBytes + 1)?.message).toMatch(/larger than 16777216 bytes/);
  });
});

describe("the limits ahead of validation", () => {
  it("keep graphql's rules from walking a document refused whatever its variables, and leave every other document to them", async () => {
    const { specifiedRules, validate } = await import("graphql");
    const { limitsBeforeValidation } = await import("../../src/limits/limits-plugin.js");
    const facts = await schemaFacts();
    const { schema } = facts;
    const rules = [...specifiedRules, limitsBeforeValidation(facts)];
    // Valid, and within graphql's own budget only after ~150 ms of comparing overlapping fields.
    const hostile = parse(`{ ${"deployments { totalCount } ".repeat(470)} }`);
    const started = process.cpuUsage();
    expect(validate(schema, hostile, rules)).toEqual([]);
    const { user, system } = process.cpuUsage(started);
    expect((user + system) / 1000).toBeLessThan(BOUND_MS);
    expect(queryLimitError(facts, hostile, undefined)?.extensions.code).toBe("QUERY_TOO_COMPLEX");
    expect(validate(schema, parse(`{ noSuchField }`), rules).map((e) => e.message)).toEqual([`Cannot query field "noSuchField" on type "Query".`]);
    // Too costly only with the request's page size: validated as usual, refused before execution.
    const q = `query($n: Int) { deployments(first: $n) { edges { node { versions(first: 100) { edges { node { id entrypoint tags labels } } } } } } }`;
    expect(validate(schema, parse(q), rules)).toEqual([]);
    expect(queryLimitError(facts, parse(q), { n: 100 })?.message).toMatch(/^Query cost/);
  });
});

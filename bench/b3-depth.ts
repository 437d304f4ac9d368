/**
 * B3: a history page at 100,000 versions against 100, first page and a deep page reached by
 * cursor (the page after version 41: the same 20 versions in both, 99,959 rows deep in the large
 * one). Measured through `deploymentByName`, which is executed every time (the response cache
 * only serves `deployment(id)`), so the SQL keyset paging is what is compared; the cached
 * `deployment(id)` path is shown too.
 */
import { CpuTable } from "./lib/cpu";
import { authHeader, conditions, freshDatabase, machine, startMariaDb, startServer, runBench } from "./lib/infra";
import { TABLE_HEAD, hammer, row, type LoadResult } from "./lib/load";
import { seedDeployment } from "./lib/seed";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const NODE = "number version isLive sourceInfo { type commitSha branch repository url message } codePin { commitSha imageDigest pinned warnings }";
const BY_NAME = `query P($name: String!, $after: String) { deploymentByName(flowName: "etl", name: $name) { versions(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${NODE} } } } } }`;
const BY_ID = `query P($id: ID!, $after: String) { deployment(id: $id) { versions(first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${NODE} } } } } }`;
const cursorAfter = (number: number) => Buffer.from(JSON.stringify(["version", number])).toString("base64url");

async function main() {
  const seconds = arg("seconds", 5);
  const connections = arg("connections", 4);
  console.log(`B3 on ${machine()}; ${seconds} s per run, ${connections} connections; ${conditions()}\n`);
  const mariadb = await startMariaDb();
  const dbUrl = await freshDatabase(mariadb.url, "bench_b3");
  const server = await startServer({ DATABASE_URL: dbUrl });
  try {
    const small = await seedDeployment(server.url, dbUrl, "small", 100);
    const large = await seedDeployment(server.url, dbUrl, "large", 100_000);
    const opts = { seconds, connections, headers: authHeader() };
    const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
    const cases: Array<[string, string]> = [
      ["100 first page", body(BY_NAME, { name: "small" })],
      ["100k first page", body(BY_NAME, { name: "large" })],
      ["100 deep page", body(BY_NAME, { name: "small", after: cursorAfter(41) })],
      ["100k deep page", body(BY_NAME, { name: "large", after: cursorAfter(41) })],
      ["100 deep page, cached by id", body(BY_ID, { id: small, after: cursorAfter(41) })],
      ["100k deep page, cached by id", body(BY_ID, { id: large, after: cursorAfter(41) })],
    ];
    for (const [, b] of cases) await hammer("warm-up", server.url, b, { ...opts, seconds: 1 });
    const results: LoadResult[] = [];
    const cpu = new CpuTable({ server: server.pid, mariadb: mariadb.process.pid!, "load generator": process.pid });
    for (const [label, b] of cases) results.push(await cpu.measure(() => hammer(label, server.url, b, opts)));
    console.log(`${TABLE_HEAD}\n${results.map(row).join("\n")}\n\n${cpu}`);
    const by = (label: string) => results.find((r) => r.label === label)!;
    for (const kind of ["first page", "deep page", "deep page, cached by id"]) {
      const [a, b] = [by(`100 ${kind}`), by(`100k ${kind}`)];
      console.log(
        `B3 ${kind}: latency ratio 100k/100 = ${(1 / (b.rps / a.rps)).toFixed(3)} by mean (req/s at fixed concurrency), p50 ${b.p50}/${a.p50} ms (target ≤ 1.2)`,
      );
    }
  } finally {
    await server.stop();
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

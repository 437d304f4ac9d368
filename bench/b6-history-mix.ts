/**
 * B6: history pages that are not repeats. 50 deployments of 100 versions; for each, the first
 * page and a page after a cursor that differs per deployment, each by id and by name: 200
 * distinct requests, sent in turn across all connections, so concurrent requests differ. Against
 * the same server answering `{ __typename }`, in interleaved rounds of one run; ratio of req/s
 * and the mix's p99. `--profile` runs the mix once more under --cpu-prof and prints the top frames.
 */
import { createConnection } from "mysql2/promise";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CpuTable } from "./lib/cpu";
import { authHeader, conditions, freshDatabase, machine, startMariaDb, startServer, runBench } from "./lib/infra";
import { TABLE_HEAD, hammer, row, type LoadResult } from "./lib/load";
import { summariseProfile } from "./lib/profile";
import { seedDeployment } from "./lib/seed";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const PAGE = `liveVersion { id number version createdAt sourceInfo { commitSha branch } }
    versions(first: 20, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        number version isLive
        sourceInfo { type version commitSha branch repository url message }
        codePin { commitSha repository imageDigest pinned warnings }
      } }
    }`;
const BY_ID = `query HistoryById($id: ID!, $after: String) { deployment(id: $id) { id name ${PAGE} } }`;
const BY_NAME = `query HistoryByName($name: String!, $after: String) { deploymentByName(flowName: "etl", name: $name) { id name ${PAGE} } }`;
const TRIVIAL = JSON.stringify({ query: "{ __typename }" });
const cursorAfter = (number: number) => Buffer.from(JSON.stringify(["version", number])).toString("base64url");

/** The 200 bodies: deployment i's first page and the page after version 80 - (i % 40), by id and by name. */
export function mixOf(deployments: Array<{ id: string; name: string }>): string[] {
  return deployments.flatMap(({ id, name }, i) => {
    const after = cursorAfter(80 - (i % 40));
    return [
      JSON.stringify({ query: BY_ID, variables: { id } }),
      JSON.stringify({ query: BY_NAME, variables: { name, after } }),
      JSON.stringify({ query: BY_NAME, variables: { name } }),
      JSON.stringify({ query: BY_ID, variables: { id, after } }),
    ];
  });
}

async function main() {
  const seconds = arg("seconds", 8);
  const rounds = arg("rounds", 2);
  const connections = arg("connections", 10);
  const count = arg("deployments", 50);
  console.log(
    `B6 on ${machine()}; ${count} deployments × 2 pages × by id and by name, ${rounds} rounds × ${seconds} s, ${connections} connections; ${conditions()}\n`,
  );
  const mariadb = await startMariaDb();
  const dbUrl = await freshDatabase(mariadb.url, "bench_b6");
  const env = { DATABASE_URL: dbUrl };
  let server = await startServer(env);
  try {
    const deployments: Array<{ id: string; name: string }> = [];
    for (let i = 0; i < count; i++) deployments.push({ id: await seedDeployment(server.url, dbUrl, `d${i}`, 100), name: `d${i}` });
    const mix = mixOf(deployments);
    const opts = { seconds, connections, headers: authHeader() };
    await hammer("warm-up", server.url, TRIVIAL, { ...opts, seconds: 3 });
    await hammer("warm-up", server.url, mix, { ...opts, seconds: 3 });
    const cpu = new CpuTable({ server: server.pid, mariadb: mariadb.process.pid!, "load generator": process.pid });
    const results: LoadResult[] = [];
    // Statements MariaDB ran per request (its Questions counter), the two reads of it excluded.
    const status = await createConnection({ uri: dbUrl });
    const questions = async () => Number(((await status.query("SHOW GLOBAL STATUS LIKE 'Questions'"))[0] as Array<{ Value: string }>)[0]!.Value);
    const statements: string[] = [];
    const measured = async (label: string, bodies: string | string[]) => {
      const before = await questions();
      const result = await cpu.measure(() => hammer(label, server.url, bodies, opts));
      statements.push(`${label}: ${((await questions()) - before - 1) / Math.max(1, result.requests)}`.replace(/(\.\d\d)\d+$/, "$1"));
      return result;
    };
    for (let r = 1; r <= rounds; r++) {
      results.push(await measured(`trivial #${r}`, TRIVIAL));
      results.push(await measured(`history mix #${r}`, mix));
    }
    // The same mix split by kind, to see which part bounds it.
    const kinds = [BY_ID, BY_NAME].map((query) => mix.filter((body) => body.includes(JSON.stringify(query))));
    const split = [await measured("by id only", kinds[0]!), await measured("by name only", kinds[1]!)];
    await status.end();
    const picked = (prefix: string) => results.filter((x) => x.label.startsWith(prefix));
    const mean = (prefix: string) => picked(prefix).reduce((s, x) => s + x.rps, 0) / picked(prefix).length;
    console.log(`${TABLE_HEAD}\n${[...results, ...split].map(row).join("\n")}\n\n${cpu}\nStatements per request: ${statements.join("; ")}\n`);
    console.log(
      `B6 ratio history mix/trivial (mean req/s): ${(mean("history") / mean("trivial")).toFixed(3)} (target ≥ 0.5); ` +
        `mix p99 ${Math.max(...picked("history").map((x) => x.p99))} ms, worst round (target ≤ 20 ms)`,
    );
    if (process.argv.includes("--profile")) {
      await server.stop();
      const dir = mkdtempSync(join(tmpdir(), "waymark-prof-"));
      server = await startServer(env, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
      await hammer("warm-up", server.url, mix, { ...opts, seconds: 3 });
      console.log(row(await hammer("history mix (profiled)", server.url, mix, opts)));
      await server.stop();
      console.log(`\n${summariseProfile(dir, 25)}`);
    }
  } finally {
    await server.stop();
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

/**
 * B1: a history page (liveVersion + 20 versions with isLive, sourceInfo and codePin) of a
 * deployment with 1,000 versions on MariaDB, against the same server answering `{ __typename }`
 * in the same run. Interleaved rounds; ratio of req/s. `--profile` also runs the history load
 * once more under --cpu-prof and prints the top frames.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CpuTable } from "./lib/cpu";
import { authHeader, conditions, freshDatabase, machine, startMariaDb, startServer, runBench } from "./lib/infra";
import { TABLE_HEAD, hammer, row, type LoadResult } from "./lib/load";
import { summariseProfile } from "./lib/profile";
import { seedDeployment } from "./lib/seed";

export const HISTORY = `query History($id: ID!) {
  deployment(id: $id) {
    liveVersion { id number version createdAt sourceInfo { commitSha branch } }
    versions(first: 20) { edges { node {
      number version isLive
      sourceInfo { type version commitSha branch repository url message }
      codePin { commitSha repository imageDigest pinned warnings }
    } } }
  }
}`;
export const TRIVIAL = "{ __typename }";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);

async function main() {
  const seconds = arg("seconds", 10);
  const rounds = arg("rounds", 2);
  const connections = arg("connections", 10);
  const profile = process.argv.includes("--profile");
  console.log(`B1 on ${machine()}; ${rounds} rounds × ${seconds} s per query, ${connections} connections; ${conditions()}\n`);
  const mariadb = await startMariaDb();
  const dbUrl = await freshDatabase(mariadb.url, "bench_b1");
  const env = { DATABASE_URL: dbUrl };
  let server = await startServer(env);
  try {
    const id = await seedDeployment(server.url, dbUrl, "b1", 1_000);
    const history = JSON.stringify({ query: HISTORY, variables: { id } });
    const trivial = JSON.stringify({ query: TRIVIAL });
    const opts = { seconds, connections, headers: authHeader() };
    await hammer("warm-up", server.url, trivial, { ...opts, seconds: 3 });
    await hammer("warm-up", server.url, history, { ...opts, seconds: 3 });
    const results: LoadResult[] = [];
    const cpu = new CpuTable({ server: server.pid, mariadb: mariadb.process.pid!, "load generator": process.pid });
    for (let r = 1; r <= rounds; r++) {
      results.push(await cpu.measure(() => hammer(`trivial #${r}`, server.url, trivial, opts)));
      results.push(await cpu.measure(() => hammer(`history #${r}`, server.url, history, opts)));
    }
    const mean = (prefix: string) => {
      const picked = results.filter((x) => x.label.startsWith(prefix));
      return picked.reduce((s, x) => s + x.rps, 0) / picked.length;
    };
    console.log(`${TABLE_HEAD}\n${results.map(row).join("\n")}\n\n${cpu}`);
    console.log(`B1 ratio history/trivial (mean req/s): ${(mean("history") / mean("trivial")).toFixed(3)} (target ≥ 0.6)`);
    console.log(
      `response bytes: ${(await (await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", ...authHeader() }, body: history })).text()).length}`,
    );
    if (profile) {
      await server.stop();
      const dir = mkdtempSync(join(tmpdir(), "waymark-prof-"));
      server = await startServer(env, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
      await hammer("warm-up", server.url, history, { ...opts, seconds: 3 });
      console.log(row(await hammer("history (profiled)", server.url, history, opts)));
      await server.stop();
      console.log(`\n${summariseProfile(dir)}`);
    }
  } finally {
    await server.stop();
    await mariadb.stop();
  }
}

if (require.main === module) runBench(main);

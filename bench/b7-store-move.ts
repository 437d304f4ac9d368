/**
 * B7: moving a SQLite store of thousands of versions to MariaDB with `store copy`, and the
 * NDJSON export's size. The SQLite store is filled through the API (a real server process), so
 * every row is what the server writes: versions with pull steps and source info, moves, audit.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authHeader, freshDatabase, gql, machine, startMariaDb, startServer, runBench } from "./lib/infra";
import { CREATE, versionInput } from "./lib/seed";
import { copyStore, exportToFile } from "../src/store-move/move";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);

async function main() {
  const versions = arg("versions", 5000);
  const deployments = arg("deployments", 50);
  console.log(`B7 (store copy) on ${machine()}; ${versions} versions in ${deployments} deployments\n`);
  const dir = mkdtempSync(join(tmpdir(), "waymark-b7-"));
  const sqlite = `sqlite:${join(dir, "waymark.sqlite")}`;
  const mariadb = await startMariaDb();
  try {
    const server = await startServer({ DATABASE_URL: sqlite });
    try {
      const seeded = Date.now();
      for (let i = 0; i < versions; i++) {
        const sha = i.toString(16).padStart(40, "0");
        await gql(
          server.url,
          CREATE,
          {
            input: versionInput({
              flowName: "etl",
              name: `d${i % deployments}`,
              sourceInfo: { type: "GITHUB", commitSha: sha, branch: "main", repository: "acme/etl" },
            }),
          },
          authHeader(),
        );
      }
      console.log(`seeded ${versions} versions through the API in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
    } finally {
      await server.stop();
    }
    const file = join(dir, "export.ndjson");
    let started = Date.now();
    const exported = await exportToFile(sqlite, file, dir);
    console.log(`export: ${((Date.now() - started) / 1000).toFixed(2)} s, ${(statSync(file).size / 1_048_576).toFixed(1)} MB, ${JSON.stringify(exported)}`);
    const target = await freshDatabase(mariadb.url, "bench_b7");
    started = Date.now();
    const copied = await copyStore(sqlite, target, dir);
    const seconds = (Date.now() - started) / 1000;
    const rows = Object.values(copied).reduce((a, b) => a + b, 0);
    console.log(`copy SQLite → MariaDB: ${seconds.toFixed(2)} s for ${rows} rows (${Math.round(rows / seconds)} rows/s), ${JSON.stringify(copied)}`);
  } finally {
    await mariadb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);

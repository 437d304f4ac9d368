import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { startMariaDb, startRedis } from "./processes";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the MariaDB/MySQL server the e2e suite creates its databases on. */
    mysqlUrl: string;
    /** URL of a redis-server for the suites that run several instances. */
    redisUrl: string;
  }
}

/**
 * Starts one MariaDB and one Redis for the whole e2e run (unless TEST_DATABASE_URL /
 * TEST_REDIS_URL name servers to use), and builds dist/ for the suites that start real server or
 * CLI processes, unless it is already fresh. There is no silent skip: a missing server fails the run.
 */
export default async function setup(project: TestProject) {
  // Reuses the build `npm run check` (or `npm start`) made when no source is newer than it.
  // Type errors are the typecheck step's to report; tsc still emits, which is all these suites need.
  try {
    execFileSync(process.execPath, [resolve(__dirname, "../../scripts/build.mjs"), "--if-stale", "--only", "server"], {
      cwd: resolve(__dirname, "../.."),
      stdio: "pipe",
    });
  } catch (error) {
    if (!existsSync(resolve(__dirname, "../../dist/src/main.js"))) throw error;
  }
  const stops: Array<() => Promise<void>> = [];
  if (process.env.TEST_DATABASE_URL) project.provide("mysqlUrl", process.env.TEST_DATABASE_URL);
  else {
    const mariadb = await startMariaDb();
    stops.push(() => mariadb.stop());
    project.provide("mysqlUrl", mariadb.url);
  }
  if (process.env.TEST_REDIS_URL) project.provide("redisUrl", process.env.TEST_REDIS_URL);
  else {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    project.provide("redisUrl", redis.url);
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}

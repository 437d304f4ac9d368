import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { startMariaDb } from "./processes";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the MariaDB/MySQL server the e2e suite creates its databases on. */
    mysqlUrl: string;
  }
}

/**
 * Starts one MariaDB for the whole e2e run unless TEST_DATABASE_URL names a server to use.
 * There is no silent skip: without either, the run fails, so CI cannot pass on SQLite alone.
 */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide("mysqlUrl", given);
    return;
  }
  const mariadb = await startMariaDb();
  project.provide("mysqlUrl", mariadb.url);
  return () => mariadb.stop();
}

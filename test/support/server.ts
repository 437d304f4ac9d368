import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createConnection } from "mysql2/promise";
import { inject } from "vitest";
import { createApp, type App } from "../../src/app";
import { parseConfig, type Config } from "../../src/config";
import { createLogger } from "../../src/logger";
import type { DestinationStream } from "pino";

export type StoreKind = "sqlite" | "mysql";

/** The admin key every test server is bootstrapped with; requests send it unless told otherwise. */
export const TEST_ADMIN_KEY = "wm_test-admin-key-0123456789abcdefghij";
export const adminHeaders = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
/** The name of the bootstrap key: what createdBy and actor record for requests made with it. */
export const TEST_ADMIN_NAME = "bootstrap-admin";

/** The stores every e2e suite runs against; WAYMARK_TEST_STORES narrows it for local runs. */
export const STORES: StoreKind[] = (process.env.WAYMARK_TEST_STORES?.split(",") as StoreKind[] | undefined) ?? ["sqlite", "mysql"];

/** A fresh, empty database of the given kind; `drop` removes it. */
export async function freshDatabase(kind: StoreKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "waymark-sqlite-"));
    return { url: `sqlite:${join(dir, "waymark.sqlite")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new URL(inject("mysqlUrl"));
  const name = `wm_test_${randomBytes(6).toString("hex")}`;
  const connection = await createConnection({ uri: admin.toString() });
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await connection.end();
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await createConnection({ uri: admin.toString() });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> & { code?: string } }>;
}

export interface TestServer {
  url: string;
  app: App;
  config: Config;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

/** Starts Waymark in this process on a fresh database of `kind`, on a random loopback port. */
/** A log destination for startServer that keeps each JSON line the server writes, for a test to read. */
export function capturedLog(): { lines: string[]; log: Writable } {
  const lines: string[] = [];
  return { lines, log: new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) }) };
}

export async function startServer(kind: StoreKind, env: Record<string, string> = {}, log?: DestinationStream): Promise<TestServer> {
  const database = await freshDatabase(kind);
  const config = parseConfig({
    DATABASE_URL: database.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? (log ? "info" : "silent"),
    WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY,
    WAYMARK_AUTH_FAILURES_PER_MINUTE: "100000",
    ...env,
  });
  const app = await createApp({ config, logger: createLogger(config.logLevel, log) });
  const url = await app.listen();
  return {
    url,
    app,
    config,
    gql: (query, variables, headers) => postGraphQL(url, query, variables, headers) as Promise<GraphQLResult<any>>,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/** POSTs a GraphQL request; sends the test admin key unless `headers` has an authorization (use "" for none). */
export async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResult> {
  const auth = Object.keys(headers).some((h) => h.toLowerCase() === "authorization") ? {} : adminHeaders;
  headers = Object.fromEntries(Object.entries({ ...auth, ...headers }).filter(([, v]) => v !== "")) as Record<string, string>;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as object) };
  } catch {
    return { status: response.status, errors: [{ message: text }] };
  }
}

/** The codes of a result's errors, for `expect(codes(r)).toEqual([...])`. */
export const codes = (result: GraphQLResult) => (result.errors ?? []).map((e) => e.extensions?.code);

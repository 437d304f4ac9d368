import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createConnection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeze } from "../support/freeze";
import { deploymentWithVersions, ROLLBACK, PROMOTE } from "../support/operations";
import { startMariaDb, startRedis, type MariaDb, type RedisServer } from "../support/processes";
import { startServer, type TestServer, capturedLog } from "../support/server";
import { startServerProcess } from "../support/server-process";
import { LIVE_CHANGED, registered, subscribe } from "../support/subscriptions";

const MAIN = resolve(__dirname, "../../dist/src/main.js");

const opsUrl = (server: TestServer, path: string) => new URL(path, server.url).href;

async function getJson(url: string): Promise<{ status: number; ms: number; body: any }> {
  const started = Date.now();
  const response = await fetch(url);
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

/** Parses the Prometheus text format into samples. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function metricsOf(server: TestServer): Promise<string> {
  const response = await fetch(opsUrl(server, "/metrics"));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe("/healthz, /metrics and request logs", () => {
  let server: TestServer;
  const { lines, log } = capturedLog();
  beforeAll(async () => void (server = await startServer("sqlite", {}, log)));
  afterAll(() => server?.close());

  it("/healthz answers while the process runs", async () => {
    const { status, body } = await getJson(opsUrl(server, "/healthz"));
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok" });
  });

  it("/readyz answers 200 when the database answers and is migrated", async () => {
    const { status, body } = await getJson(opsUrl(server, "/readyz"));
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ready", checks: { database: { ok: true } } });
  });

  it("counts requests by operation, errors by code, live changes by kind, and open subscriptions", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 3, "metrics", "ops");
    const history = `query History($id: ID!) { deployment(id: $id) { versions { totalCount } } }`;
    await server.gql(history, { id: deploymentId });
    await server.gql(history, { id: deploymentId });
    expect((await server.gql(ROLLBACK, { input: { deploymentId, versionId: ids[1] } })).errors).toBeUndefined();
    expect((await server.gql(PROMOTE, { input: { deploymentId } })).errors).toBeUndefined();
    expect((await server.gql(ROLLBACK, { input: { deploymentId: "dep_999999" } })).errors?.[0]?.extensions?.code).toBe("DEPLOYMENT_NOT_FOUND");
    expect((await server.gql("{ deployments { ")).errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    const tooLarge = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(server.config.maxBodyBytes + 1),
    });
    expect(tooLarge.status).toBe(413);
    const live = await subscribe(server.url, { deploymentId });
    await registered(server, 1);
    // A subscription error goes over the WebSocket and is counted too.
    const unknown = await subscribe(server.url, { deploymentId: "dep_999998" }, LIVE_CHANGED);
    await expect.poll(() => unknown.errors.length).toBe(1);

    const text = await metricsOf(server);
    expect(sample(text, "waymark_graphql_requests_total", { operation: "History", type: "query" })).toBe(2);
    expect(sample(text, "waymark_graphql_request_duration_seconds_count", { operation: "History", type: "query" })).toBe(2);
    expect(sample(text, "waymark_graphql_request_duration_seconds_bucket", { operation: "History", type: "query", le: "+Inf" })).toBe(2);
    expect(sample(text, "waymark_graphql_requests_total", { operation: "Create", type: "mutation" })).toBe(3);
    expect(sample(text, "waymark_graphql_requests_total", { operation: "Rollback", type: "mutation" })).toBe(2);
    expect(sample(text, "waymark_graphql_requests_total", { operation: "unknown", type: "unknown" })).toBe(2);
    expect(sample(text, "waymark_graphql_errors_total", { code: "DEPLOYMENT_NOT_FOUND" })).toBe(2);
    expect(sample(text, "waymark_graphql_errors_total", { code: "GRAPHQL_PARSE_FAILED" })).toBe(1);
    expect(sample(text, "waymark_graphql_errors_total", { code: "PAYLOAD_TOO_LARGE" })).toBe(1);
    expect(sample(text, "waymark_live_changes_total", { kind: "CREATE" })).toBe(3);
    expect(sample(text, "waymark_live_changes_total", { kind: "ROLLBACK" })).toBe(1);
    expect(sample(text, "waymark_live_changes_total", { kind: "PROMOTE" })).toBe(1);
    expect(sample(text, "waymark_subscriptions_open")).toBe(1);
    expect(sample(text, "waymark_websocket_connections")).toBe(2);
    // SQLite has no pool; the process metrics are there.
    expect(sample(text, "waymark_db_pool_connections", { state: "open" })).toBeUndefined();
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

    await live.close();
    await unknown.close();
    await expect.poll(async () => sample(await metricsOf(server), "waymark_subscriptions_open")).toBe(0);
  });

  it("logs one JSON line per request with its id, operation, status, duration and error codes", async () => {
    lines.length = 0;
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-ops-1" },
      body: JSON.stringify({ query: `query Lookup { deployment(id: "dep_1") { id } }` }),
    });
    expect(response.headers.get("x-request-id")).toBe("req-ops-1");
    const anonymous = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    const generated = anonymous.headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    // The line is written when the response has gone out, which can be just after the client has it.
    const logged = () =>
      lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "graphql request" && [generated, "req-ops-1"].includes(entry.requestId));
    await expect.poll(() => logged().length).toBe(2);
    expect(logged()).toEqual([
      expect.objectContaining({
        requestId: "req-ops-1",
        method: "POST",
        status: 200,
        operation: "Lookup",
        type: "query",
        codes: ["UNAUTHENTICATED"],
        ms: expect.any(Number),
      }),
      expect.objectContaining({ requestId: generated, method: "POST", status: 400, codes: ["BAD_REQUEST"] }),
    ]);
  });
});

describe("configuration of the operational endpoints", () => {
  it("WAYMARK_METRICS=off removes /metrics", async () => {
    const server = await startServer("sqlite", { WAYMARK_METRICS: "off" });
    try {
      expect((await fetch(opsUrl(server, "/metrics"))).status).toBe(404);
      expect((await fetch(opsUrl(server, "/healthz"))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("reports the MySQL pool's use", async () => {
    const server = await startServer("mysql");
    try {
      await server.gql("{ deployments { totalCount } }");
      const text = await metricsOf(server);
      expect(sample(text, "waymark_db_pool_connections", { state: "max" })).toBe(10);
      expect(sample(text, "waymark_db_pool_connections", { state: "open" })).toBeGreaterThanOrEqual(1);
      expect(sample(text, "waymark_db_pool_connections", { state: "waiting" })).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("a bad value stops the start with a message naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "waymark-config-"));
    try {
      for (const [variable, value] of [
        ["PORT", "abc"],
        ["WAYMARK_METRICS", "maybe"],
        ["WAYMARK_READINESS_TIMEOUT_MS", "0"],
        ["WAYMARK_SHUTDOWN_TIMEOUT_MS", "soon"],
      ] as const) {
        const run = spawnSync(process.execPath, [MAIN], {
          env: { PATH: process.env.PATH ?? "", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, [variable]: value },
          encoding: "utf8",
          timeout: 20_000,
        });
        expect(run.status, `${variable}=${value}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toMatch(new RegExp(`invalid configuration: ${variable}: `));
        expect(run.stdout).not.toContain("waymark is listening");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("/readyz while a store is down", () => {
  const TIMEOUT_MS = 1_000;
  let mariadb: MariaDb;
  let redis: RedisServer;
  let server: TestServer;
  beforeAll(async () => {
    [mariadb, redis] = await Promise.all([startMariaDb(), startRedis()]);
    const admin = await createConnection({ uri: mariadb.url });
    await admin.query("CREATE DATABASE waymark_ready CHARACTER SET utf8mb4");
    await admin.end();
    server = await startServer("sqlite", {
      DATABASE_URL: mariadb.url.replace(/\/mysql$/, "/waymark_ready"),
      REDIS_URL: redis.url,
      WAYMARK_READINESS_TIMEOUT_MS: String(TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    if (mariadb?.process.exitCode === null) mariadb.process.kill("SIGCONT");
    await server?.close();
    await Promise.all([mariadb?.stop(), redis?.stop()]);
  });

  it("is 200 with both stores up (once the Redis connection is established)", async () => {
    await expect.poll(async () => (await getJson(opsUrl(server, "/readyz"))).status, { timeout: 10_000, interval: 100 }).toBe(200);
    const { body } = await getJson(opsUrl(server, "/readyz"));
    expect(body).toEqual({ status: "ready", checks: { database: { ok: true }, redis: { ok: true } } });
  });

  it("is 503 within its time bound while the database hangs, and 200 once it answers again", async () => {
    // SIGSTOP: connections open but nothing answers, the case a probe without a deadline would hang on.
    // freeze() waits until every thread has stopped: one busy on the other core could still answer.
    await freeze(mariadb.process);
    try {
      const hung = await getJson(opsUrl(server, "/readyz"));
      expect(hung.status).toBe(503);
      expect(hung.body).toEqual({
        status: "unavailable",
        checks: { database: { ok: false, error: `no answer within ${TIMEOUT_MS} ms` }, redis: { ok: true } },
      });
      expect(hung.ms).toBeLessThan(TIMEOUT_MS + 2_000);
    } finally {
      mariadb.process.kill("SIGCONT");
    }
    await expect.poll(async () => (await getJson(opsUrl(server, "/readyz"))).status, { timeout: 15_000, interval: 200 }).toBe(200);
  });

  it("is 503 naming the database while it is down, and 200 after it restarts", async () => {
    await new Promise((resolve) => {
      mariadb.process.once("exit", resolve);
      mariadb.process.kill("SIGKILL");
    });
    const down = await getJson(opsUrl(server, "/readyz"));
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("unavailable");
    expect(down.body.checks.database).toEqual({ ok: false, error: expect.any(String) });
    expect(down.body.checks.redis).toEqual({ ok: true });
    expect(down.ms).toBeLessThan(TIMEOUT_MS + 2_000);
    await mariadb.restart();
    await expect.poll(async () => (await getJson(opsUrl(server, "/readyz"))).status, { timeout: 15_000, interval: 200 }).toBe(200);
  });

  it("is 503 naming Redis while it is down", async () => {
    await redis.stop();
    await expect.poll(async () => (await getJson(opsUrl(server, "/readyz"))).body.checks.redis?.ok, { timeout: 10_000, interval: 200 }).toBe(false);
    const down = await getJson(opsUrl(server, "/readyz"));
    expect(down.status).toBe(503);
    expect(down.body.checks.database).toEqual({ ok: true });
    expect(down.ms).toBeLessThan(TIMEOUT_MS + 2_000);
    await redis.restart();
    await expect.poll(async () => (await getJson(opsUrl(server, "/readyz"))).status, { timeout: 15_000, interval: 200 }).toBe(200);
  });
});

describe("SIGTERM", () => {
  it("exits after WAYMARK_SHUTDOWN_TIMEOUT_MS when a client never finishes its request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "waymark-shutdown-"));
    const server = await startServerProcess({ DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, WAYMARK_SHUTDOWN_TIMEOUT_MS: "1000" });
    const { port } = new URL(server.url);
    // Headers promise a body that never comes: the request stays in flight, so draining cannot end.
    const socket = connect(Number(port), "127.0.0.1");
    try {
      await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
      socket.write("POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const code = await server.stop();
      expect(code).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(server.output()).toContain("shutdown timed out");
    } finally {
      socket.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

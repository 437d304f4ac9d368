import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVersion, ROLLBACK, PROMOTE } from "../support/operations";
import { createApp, type App } from "../../src/app";
import { parseConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { codes, freshDatabase, STORES, startServer, postGraphQL, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { startServerProcess } from "../support/server-process";
import { runCli } from "../support/cli";
import { CREATE_WEBHOOK as CREATE, createWebhook, startReceiver, until, WEBHOOK_ENV, type Receiver } from "../support/webhook-receiver";

const DELIVERIES = `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 10) {
  totalCount edges { node { id event sequence status attemptCount attempts { statusCode durationMs error responseExcerpt } } } } }`;

async function deliveries(server: TestServer, id: string, headers?: Record<string, string>) {
  const result = await server.gql(DELIVERIES, { id }, headers);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return (result.data.webhookDeliveries.edges as Array<{ node: any }>).map((e) => e.node);
}

/** The documented check, written out as a receiver would (README, "Webhooks"). */
function verifies(header: string, body: string, secret: string): boolean {
  const parts = header.split(",").map((p) => p.split("="));
  const t = parts.find(([k]) => k === "t")![1]!;
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return parts.some(([k, v]) => k === "v1" && v === expected);
}

describe.each(STORES)("webhooks (%s)", (store) => {
  let server: TestServer;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    server = await startServer(store, WEBHOOK_ENV);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await server?.close();
  });

  it("signs each delivery with the documented algorithm and sends the event with its sequence", async () => {
    const r = await receiver();
    const { secret, webhook } = await createWebhook(server, { url: r.url, flowName: "signed" });
    expect(secret).toMatch(/^whsec_/);
    const created = await createVersion(server, { flowName: "signed", name: "prod", sourceInfo: { commitSha: "0123456789abcdef0123456789abcdef01234567" } });
    await until("one delivery", () => r.received.length === 1);
    const [request] = r.received;
    expect(verifies(String(request!.headers["waymark-signature"]), request!.body, secret)).toBe(true);
    expect(verifies(String(request!.headers["waymark-signature"]), request!.body, `${secret}x`)).toBe(false);
    expect(verifies(String(request!.headers["waymark-signature"]), `${request!.body} `, secret)).toBe(false);
    expect(request!.headers["waymark-event"]).toBe("CREATE");
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({
      id: created.change.id,
      sequence: created.change.sequence,
      kind: "CREATE",
      deployment: { id: created.deployment.id, flowName: "signed", name: "prod" },
      previousVersion: null,
      liveVersion: { id: created.version.id, number: 1 },
    });
    const [delivery] = await deliveries(server, webhook.id);
    expect(request!.headers["waymark-delivery"]).toBe(delivery.id);
    expect(delivery).toMatchObject({ status: "DELIVERED", attemptCount: 1, sequence: created.change.sequence });
  });

  it("delivers only the kinds and the deployment a webhook asks for", async () => {
    const r = await receiver();
    const all = await receiver();
    const first = await createVersion(server, { flowName: "filtered", name: "prod", entrypoint: "f.py:a" });
    await createVersion(server, { flowName: "filtered", name: "other", entrypoint: "f.py:a" });
    const deploymentId = first.deployment.id;
    const created = await server.gql(CREATE, { input: { url: r.url, events: ["ROLLBACK"], deploymentId } });
    expect(created.data.createWebhook.webhook).toMatchObject({ events: ["ROLLBACK"], allEvents: false });
    const everything = await createWebhook(server, { url: all.url, flowName: "filtered" });
    expect(everything.webhook).toMatchObject({ allEvents: true });
    await createVersion(server, { flowName: "filtered", name: "prod", entrypoint: "f.py:b" });
    await createVersion(server, { flowName: "filtered", name: "other", entrypoint: "f.py:b" });
    const rolled = await server.gql(ROLLBACK, { input: { deploymentId, reason: "filter" } });
    await until("three deliveries to the catch-all", () => all.received.length === 3);
    await until("the rollback", () => r.received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(1);
    expect(JSON.parse(r.received[0]!.body)).toMatchObject({ kind: "ROLLBACK", sequence: rolled.data.rollback.change.sequence, reason: "filter" });
  });

  it("a receiver failing twice and then answering 200 gets exactly one successful delivery after two retries", async () => {
    const r = await receiver((n) =>
      n === 1 ? { status: 500, body: "x".repeat(5000) } : n === 2 ? { status: 503, headers: { "retry-after": "0" } } : { status: 200 },
    );
    const { webhook } = await createWebhook(server, { url: r.url, flowName: "flaky" });
    await createVersion(server, { flowName: "flaky", name: "prod" });
    await until("a 2xx", () => r.accepted().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((q) => q.headers["waymark-delivery"])).size).toBe(1);
    const [delivery] = await deliveries(server, webhook.id);
    expect(delivery.status).toBe("DELIVERED");
    expect(delivery.attempts.map((a: any) => a.statusCode)).toEqual([500, 503, 200]);
    expect(delivery.attempts[0].responseExcerpt.length).toBeLessThanOrEqual(200);
    expect(delivery.attempts[0].error).toBe("HTTP 500");
    const metrics = await (await fetch(server.url.replace(/\/graphql$/, "/metrics"))).text();
    expect(metrics).toMatch(/^waymark_webhook_deliveries_total\{outcome="retry"\} [1-9]/m);
    expect(metrics).toMatch(/^waymark_webhook_deliveries_total\{outcome="delivered"\} [1-9]/m);
    expect(metrics).toMatch(/^waymark_webhook_queue_length \d+$/m);
    expect(metrics).toMatch(/^waymark_webhook_oldest_pending_seconds [\d.]+$/m);
  });

  it("a receiver down for a while receives every event afterwards, in sequence order", async () => {
    const placeholder = await startReceiver();
    const port = placeholder.port;
    await placeholder.close();
    const { webhook } = await createWebhook(server, { url: `http://127.0.0.1:${port}/hook`, flowName: "outage" });
    const first = await createVersion(server, { flowName: "outage", name: "prod", entrypoint: "f.py:a" });
    const deploymentId = first.deployment.id;
    const second = await createVersion(server, { flowName: "outage", name: "prod", entrypoint: "f.py:b" });
    await server.gql(ROLLBACK, { input: { deploymentId, reason: "bad" } });
    await server.gql(PROMOTE, { input: { deploymentId, versionId: second.version.id } });
    await createVersion(server, { flowName: "outage", name: "prod", entrypoint: "f.py:c" });
    await until("failed attempts", async () => (await deliveries(server, webhook.id)).some((d) => d.attemptCount > 0));
    // Back up, but the first request after the outage fails again: the later events must wait for it.
    const r = await receiver((n) => ({ status: n === 1 ? 503 : 200 }), port);
    await until("five deliveries", () => r.accepted().length === 5);
    const sequences = r.accepted().map((b) => b.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(r.accepted().map((b) => b.kind)).toEqual(["CREATE", "CREATE", "ROLLBACK", "PROMOTE", "CREATE"]);
  });

  it("delivers nothing of one workspace to a webhook of another, and hides webhooks across workspaces", async () => {
    const other = await server.gql(`mutation { createWorkspace(input: { name: "webhook-other" }) { key } }`);
    const otherHeaders = { authorization: `Bearer ${other.data.createWorkspace.key}` };
    const mine = await receiver();
    const theirs = await receiver();
    const { webhook } = await createWebhook(server, { url: mine.url, flowName: "isolated" });
    await createWebhook(server, { url: theirs.url }, otherHeaders);
    await createVersion(server, { flowName: "isolated", name: "prod" });
    await until("my delivery", () => mine.received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(theirs.received).toHaveLength(0);
    const hidden = await postGraphQL(server.url, DELIVERIES, { id: webhook.id }, otherHeaders);
    expect(codes(hidden)).toEqual(["WEBHOOK_NOT_FOUND"]);
    const listed = await postGraphQL(server.url, `{ webhooks { totalCount edges { node { url } } } }`, {}, otherHeaders);
    expect((listed.data as any).webhooks.edges.map((e: any) => e.node.url)).toEqual([theirs.url]);
    const deleted = await postGraphQL(
      server.url,
      `mutation($id: ID!) { deleteWebhook(input: { id: $id }) { deletedWebhookId } }`,
      { id: webhook.id },
      otherHeaders,
    );
    expect(codes(deleted)).toEqual(["WEBHOOK_NOT_FOUND"]);
  });

  it("refuses private, link-local and plain-http public addresses, and does not follow redirects", async () => {
    for (const url of [
      "https://10.1.2.3/hook",
      "https://169.254.169.254/latest",
      "https://[::1]/x",
      "https://192.168.0.10/",
      "http://93.184.216.34/",
      "ftp://127.0.0.1/",
    ]) {
      const result = await server.gql(CREATE, { input: { url, events: ["CREATE"] } });
      expect(codes(result), url).toEqual(["BAD_USER_INPUT"]);
    }
    const internal = await receiver();
    const redirecting = await receiver(() => ({ status: 302, headers: { location: `${internal.url}/secret` } }));
    const { webhook } = await createWebhook(server, { url: redirecting.url, flowName: "redirect" });
    await createVersion(server, { flowName: "redirect", name: "prod" });
    await until("a failed delivery", async () => (await deliveries(server, webhook.id))[0]?.status === "FAILED");
    expect(redirecting.received).toHaveLength(1);
    expect(internal.received).toHaveLength(0);
  });

  it("rotates the secret: during the grace period both secrets verify; redeliver sends again", async () => {
    const r = await receiver();
    const { secret: old, webhook } = await createWebhook(server, { url: r.url, flowName: "rotate" });
    const rotated = await server.gql(
      `mutation($id: ID!) { rotateWebhookSecret(input: { id: $id, gracePeriodSeconds: 3600 }) { secret webhook { previousSecretExpiresAt } } }`,
      { id: webhook.id },
    );
    const fresh = rotated.data.rotateWebhookSecret.secret as string;
    expect(fresh).not.toBe(old);
    await createVersion(server, { flowName: "rotate", name: "prod" });
    await until("a delivery", () => r.received.length === 1);
    const { headers, body } = r.received[0]!;
    expect(verifies(String(headers["waymark-signature"]), body, fresh)).toBe(true);
    expect(verifies(String(headers["waymark-signature"]), body, old)).toBe(true);
    const [delivery] = await deliveries(server, webhook.id);
    const again = await server.gql(`mutation($id: ID!) { redeliver(input: { deliveryId: $id }) { delivery { id status } } }`, { id: delivery.id });
    expect(again.data.redeliver.delivery).toEqual({ id: delivery.id, status: "PENDING" });
    await until("the redelivery", () => r.received.length === 2);
    expect(r.received[1]!.headers["waymark-delivery"]).toBe(delivery.id);
  });
  it("the CLI creates, lists, shows deliveries of, redelivers and deletes a webhook", async () => {
    const r = await receiver();
    const cli = (...args: string[]) => runCli(server.url, process.cwd(), ["webhooks", ...args, "--json"]);
    const created = await cli("create", r.url, "--event", "create", "--flow", "cli", "--format", "slack", "--description", "chat");
    expect(created.code, created.stderr).toBe(0);
    const { secret, webhook } = JSON.parse(created.stdout);
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toMatchObject({ events: ["CREATE"], format: "SLACK", flowName: "cli" });
    expect(JSON.parse((await cli("list")).stdout).webhooks.map((w: any) => w.id)).toContain(webhook.id);
    await createVersion(server, { flowName: "cli", name: "prod" });
    await until("a Slack message", () => r.received.length === 1);
    expect(JSON.parse(r.received[0]!.body).text).toMatch(/bootstrap-admin\* deployed \*cli\/prod\*: nothing → /);
    const [delivery] = JSON.parse((await cli("deliveries", webhook.id)).stdout).deliveries;
    expect(delivery).toMatchObject({ status: "DELIVERED", attemptCount: 1 });
    expect((await cli("redeliver", delivery.id)).code).toBe(0);
    await until("the redelivery", () => r.received.length === 2);
    expect(JSON.parse((await cli("delete", webhook.id)).stdout)).toEqual({ deletedWebhookId: webhook.id });
    expect(JSON.parse((await cli("list")).stdout).webhooks.map((w: any) => w.id)).not.toContain(webhook.id);
  });
});

describe.each(STORES)("a webhook failing for the whole retry window (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(store, { ...WEBHOOK_ENV, WAYMARK_WEBHOOKS_RETRY_WINDOW_MS: "1000", WAYMARK_WEBHOOKS_RETRY_BASE_MS: "100" });
  });
  afterAll(async () => server?.close());

  it("is marked FAILING, holds later events, and delivers them in order once re-enabled", async () => {
    let up = false;
    const r = await startReceiver(() => ({ status: up ? 200 : 500 }));
    try {
      const { webhook } = await createWebhook(server, { url: r.url });
      const first = await createVersion(server, { flowName: "failing", name: "prod", entrypoint: "f.py:a" });
      const status = async () =>
        (await server.gql(`{ webhooks { edges { node { id status failingSince } } } }`)).data.webhooks.edges.find((e: any) => e.node.id === webhook.id).node;
      await until("FAILING", async () => (await status()).status === "FAILING");
      expect((await status()).failingSince).toBeTruthy();
      const [given] = await deliveries(server, webhook.id);
      expect(given.status).toBe("FAILED");
      expect(given.attemptCount).toBeGreaterThan(1);
      const held = await createVersion(server, { flowName: "failing", name: "prod", entrypoint: "f.py:b" });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = r.received.length;
      up = true;
      const enabled = await server.gql(`mutation($id: ID!) { updateWebhook(input: { id: $id, enabled: true }) { webhook { status failingSince } } }`, {
        id: webhook.id,
      });
      expect(enabled.data.updateWebhook.webhook).toEqual({ status: "ACTIVE", failingSince: null });
      await until("the held event", () => r.accepted().length === 1);
      expect(r.received.length).toBe(before + 1);
      expect(r.accepted()[0]!.sequence).toBe(held.change.sequence);
      expect(first.change.sequence).toBeLessThan(held.change.sequence);
    } finally {
      await r.close();
    }
  });
});

describe.each(STORES)("webhook address allowance (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(store, { ...WEBHOOK_ENV, WAYMARK_WEBHOOKS_ALLOWED_HOSTS: "" });
  });
  afterAll(async () => server?.close());

  it("refuses a host name resolving to loopback, and loopback itself, without the allowance", async () => {
    for (const url of ["http://localhost:9/hook", "http://127.0.0.1:9/hook"]) {
      const result = await server.gql(CREATE, { input: { url, events: ["CREATE"] } });
      expect(codes(result), url).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.message).toMatch(/loopback/);
    }
  });
});

describe.each(STORES)("webhook delivery across crashes and instances (%s)", (store) => {
  it("refuses to start without WAYMARK_SECRET_KEY once webhooks exist", async () => {
    const database = await freshDatabase(store);
    const configOf = (env: Record<string, string>) =>
      parseConfig({ ...env, DATABASE_URL: database.url, PORT: "0", HOST: "127.0.0.1", WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY, LOG_LEVEL: "silent" });
    try {
      const { WAYMARK_SECRET_KEY: _key, ...withoutKey } = WEBHOOK_ENV;
      const bare = await createApp({ config: configOf(withoutKey), logger: createLogger("silent") });
      const url = await bare.listen();
      const refused = await postGraphQL(url, CREATE, { input: { url: "https://hooks.example.com/x" } });
      expect(codes(refused)).toEqual(["BAD_USER_INPUT"]);
      expect(refused.errors![0]!.message).toMatch(/WAYMARK_SECRET_KEY/);
      await bare.close();
      const app = await createApp({ config: configOf(WEBHOOK_ENV), logger: createLogger("silent") });
      const appUrl = await app.listen();
      await createWebhook({ gql: (q: string, v?: Record<string, unknown>) => postGraphQL(appUrl, q, v) } as unknown as TestServer, {
        url: "http://127.0.0.1:9/x",
      });
      await app.close();
      await expect(createApp({ config: configOf(withoutKey), logger: createLogger("silent") })).rejects.toThrow(/WAYMARK_SECRET_KEY/);
    } finally {
      await database.drop();
    }
  });

  it("a server killed while sending delivers the committed event after restart", async () => {
    const database = await freshDatabase(store);
    const r = await startReceiver((n) => (n === 1 ? "hang" : { status: 200 }));
    const env = { ...WEBHOOK_ENV, DATABASE_URL: database.url, WAYMARK_WEBHOOKS_TIMEOUT_MS: "3000" };
    let child = await startServerProcess(env);
    try {
      const server = { gql: (q: string, v?: Record<string, unknown>) => postGraphQL(child.url, q, v) } as unknown as TestServer;
      await createWebhook(server, { url: r.url });
      const created = await createVersion(server, { flowName: "crash", name: "prod" });
      await until("the first attempt to reach the receiver", () => r.received.length === 1);
      child.child.kill("SIGKILL");
      await new Promise((resolve) => child.child.once("exit", resolve));
      child = await startServerProcess(env);
      await until("the delivery after restart", () => r.accepted().length === 1, 30_000);
      expect(r.accepted()[0]).toMatchObject({ id: created.change.id, sequence: created.change.sequence });
      expect(r.received[1]!.headers["waymark-delivery"]).toBe(r.received[0]!.headers["waymark-delivery"]);
    } finally {
      await child.stop();
      await r.close();
      await database.drop();
    }
  }, 60_000);
});

/** One in-process instance per environment on one database, listening; each is pushed onto `apps` (to be closed) as it starts. */
async function startInstances(databaseUrl: string, envs: Array<Record<string, string>>, apps: App[]): Promise<TestServer[]> {
  for (const env of envs) {
    const config = parseConfig({ ...env, DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY, LOG_LEVEL: "silent" });
    apps.push(await createApp({ config, logger: createLogger("silent") }));
  }
  const urls = await Promise.all(apps.map((app) => app.listen()));
  return urls.map((url) => ({ gql: (q: string, v?: Record<string, unknown>) => postGraphQL(url, q, v) }) as unknown as TestServer);
}

// SQLite has one writer: several instances on one file is not a supported deployment.
describe.each(STORES.filter((s) => s === "mysql"))("webhook delivery by several instances (%s)", (store) => {
  it("two instances on one database never both deliver the same event", async () => {
    const database = await freshDatabase(store);
    const r = await startReceiver();
    const apps: App[] = [];
    try {
      const servers = await startInstances(database.url, [WEBHOOK_ENV, WEBHOOK_ENV], apps);
      await createWebhook(servers[0]!, { url: r.url });
      const EVENTS = 30;
      await Promise.all(
        [0, 1, 2].map(async (d) => {
          for (let n = 0; n < EVENTS / 3; n++) await createVersion(servers[n % 2]!, { flowName: "twin", name: `d${d}`, entrypoint: `f.py:v${n}` });
        }),
      );
      await until("every delivery", () => r.received.length >= EVENTS);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ids = r.received.map((q) => q.headers["waymark-delivery"]);
      expect(ids).toHaveLength(EVENTS);
      expect(new Set(ids).size).toBe(EVENTS);
      for (const d of [0, 1, 2]) {
        const sequences = r
          .accepted()
          .filter((b) => b.deployment.name === `d${d}`)
          .map((b) => b.sequence);
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      }
    } finally {
      for (const app of apps) await app.close();
      await r.close();
      await database.drop();
    }
  }, 60_000);

  it("an instance without WAYMARK_SECRET_KEY, started before any webhook existed, never claims a delivery it cannot sign", async () => {
    const database = await freshDatabase(store);
    const r = await startReceiver();
    const apps: App[] = [];
    try {
      const { WAYMARK_SECRET_KEY: _key, ...withoutKey } = WEBHOOK_ENV;
      const [keyless, keyed] = await startInstances(database.url, [withoutKey, WEBHOOK_ENV], apps);
      const { webhook } = await createWebhook(keyed!, { url: r.url });
      const EVENTS = 6;
      // Committed on the keyless instance: its own commit is what would wake a worker there first.
      for (let n = 0; n < EVENTS; n++) await createVersion(keyless!, { flowName: "keyless", name: "prod", entrypoint: `f.py:v${n}` });
      await until("every delivery", () => r.accepted().length >= EVENTS);
      const sent = await deliveries(keyed!, webhook.id);
      expect(sent).toHaveLength(EVENTS);
      for (const delivery of sent) expect(delivery).toMatchObject({ status: "DELIVERED", attemptCount: 1, attempts: [{ statusCode: 200, error: null }] });
    } finally {
      for (const app of apps) await app.close();
      await r.close();
      await database.drop();
    }
  }, 60_000);
});

import { createHash } from "node:crypto";
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVersion, deploymentWithVersions } from "../support/operations";
import { countStatements } from "../support/statements";
import { createApp } from "../../src/app";
import { parseConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { codes, freshDatabase, postGraphQL, startServer, STORES, TEST_ADMIN_KEY, type GraphQLResult, type TestServer } from "../support/server";
import { LIVE_CHANGED, registered, subscribe, wsClient } from "../support/subscriptions";
import { createWebhook, startReceiver, until, WEBHOOK_ENV, type Receiver } from "../support/webhook-receiver";

// What someone holding a valid key of ONE workspace (and the README and the source) can reach of
// another workspace, and what each scope lets them do, over HTTP and graphql-ws alike
// (docs/design.md, "Workspaces and API keys").

type Answer = Pick<GraphQLResult<any>, "data" | "errors">;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** One operation over graphql-ws: its single result, or the errors it was refused with. */
function overWs(client: Client, query: string, variables: Record<string, unknown>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answer: Answer = {};
    const timer = setTimeout(() => reject(new Error(`no answer over graphql-ws to ${query.slice(0, 80)}`)), 10_000);
    const stop = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          answer = value as Answer;
          // A subscription that was accepted streams: its first answer is enough here.
          if (query.trimStart().startsWith("subscription") && !value.errors) {
            clearTimeout(timer);
            stop();
            resolve(answer);
          }
        },
        error: (errors) => {
          clearTimeout(timer);
          resolve({ errors: (Array.isArray(errors) ? errors : [{ message: String(errors) }]) as Answer["errors"] });
        },
        complete: () => {
          clearTimeout(timer);
          resolve(answer);
        },
      },
    );
  });
}

/** An answer with `id` written as <id>, so that answers about two ids compare (and `data` kept as sent). */
function shape(answer: Answer, id: string): string {
  const { data, errors } = answer;
  const plain = { data: data ?? null, errors: (errors ?? []).map((e) => ({ message: e.message, extensions: e.extensions, path: (e as any).path })) };
  return JSON.stringify(plain).replace(new RegExp(`${id}(?![0-9])`, "g"), "<id>");
}

describe.each(STORES)("an outsider holding one workspace's key (%s)", (store) => {
  let server: TestServer;
  let receiver: Receiver;
  /** Workspace A (the operator's, the test admin key): the victim. */
  const a = { deployment: "", versions: [] as string[], change: "", audit: "", key: "", keySecret: "", webhook: "", delivery: "", auditCursor: "" };
  /** Workspace B: the outsider, with a key of each scope and a deployment of its own. */
  const b = { admin: "", read: "", deploy: "", release: "", deployment: "", versions: [] as string[], webhook: "" };
  const asB = (query: string, variables: Record<string, unknown> = {}, key = b.admin) =>
    postGraphQL(server.url, query, variables, bearer(key)) as Promise<GraphQLResult<any>>;

  beforeAll(async () => {
    server = await startServer(store, WEBHOOK_ENV);
    receiver = await startReceiver();
    const made = await deploymentWithVersions(server, 3, "prod", "victim");
    a.deployment = made.deploymentId;
    a.versions = made.ids;
    await server.gql(`mutation($id: ID!) { rollback(input: { deploymentId: $id }) { change { id } } }`, { id: a.deployment });
    const reader = await server.gql(`mutation { createApiKey(input: { name: "victim-reader", scopes: [READ] }) { key apiKey { id } } }`);
    [a.key, a.keySecret] = [reader.data.createApiKey.apiKey.id, reader.data.createApiKey.key];
    a.webhook = (await createWebhook(server, { url: receiver.url })).webhook.id;
    const change = await createVersion(server, { deploymentId: a.deployment, entrypoint: "flows/etl.py:v4" });
    a.change = change.change.id;
    await until("a delivery in the victim's workspace", () => receiver.received.length > 0);
    const deliveries = await server.gql(`query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { node { id } } } }`, { id: a.webhook });
    a.delivery = deliveries.data.webhookDeliveries.edges[0].node.id;
    const audit = await server.gql(`{ auditLog(first: 1) { pageInfo { endCursor } edges { node { id } } } }`);
    [a.audit, a.auditCursor] = [audit.data.auditLog.edges[0].node.id, audit.data.auditLog.pageInfo.endCursor];

    b.admin = (await server.gql(`mutation { createWorkspace(input: { name: "outsider" }) { key } }`)).data.createWorkspace.key;
    for (const scope of ["read", "deploy", "release"] as const) {
      const created = await asB(`mutation($s: KeyScope!) { createApiKey(input: { name: "outsider-${scope}", scopes: [$s] }) { key } }`, {
        s: scope.toUpperCase(),
      });
      b[scope] = created.data!.createApiKey.key;
    }
    for (let n = 1; n <= 2; n++) {
      const created = await asB(`mutation($i: CreateVersionInput!) { createVersion(input: $i) { deployment { id } version { id } } }`, {
        i: { flowName: "own", name: "prod", entrypoint: `flows/own.py:v${n}` },
      });
      b.deployment = created.data!.createVersion.deployment.id;
      b.versions[n] = created.data!.createVersion.version.id;
    }
    b.webhook = (await createWebhook(server, { url: receiver.url }, bearer(b.admin))).webhook.id;
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  /** The victim's workspace as the victim reads it: what no outsider's call may change. */
  const victimState = async () =>
    (
      await server.gql(
        `query($d: ID!, $v: ID!, $w: ID!) {
          deployment(id: $d) { liveVersion { id } archivedAt pin { by } retention { keepLast } paused versionCount }
          flagged: deploymentVersion(id: $v) { flag { status } }
          webhooks { edges { node { id url status } } }
          deliveries: webhookDeliveries(webhookId: $w) { totalCount }
          apiKeys { id revokedAt }
        }`,
        { d: a.deployment, v: a.versions[1], w: a.webhook },
      )
    ).data;

  /** Each operation that takes an id, given the id an outsider substitutes for one of its own. */
  const byId: Array<[name: string, query: string, variables: (id: string) => Record<string, unknown>, kind: string]> = [
    ["deployment", `query($id: ID!) { deployment(id: $id) { id name } }`, (id) => ({ id }), "dep"],
    ["deploymentVersion", `query($id: ID!) { deploymentVersion(id: $id) { id parameters } }`, (id) => ({ id }), "ver"],
    ["node (deployment)", `query($id: ID!) { node(id: $id) { id } }`, (id) => ({ id }), "dep"],
    ["node (version)", `query($id: ID!) { node(id: $id) { id } }`, (id) => ({ id }), "ver"],
    ["node (change)", `query($id: ID!) { node(id: $id) { id } }`, (id) => ({ id }), "chg"],
    ["node (audit entry)", `query($id: ID!) { node(id: $id) { id } }`, (id) => ({ id }), "aud"],
    ["node (API key)", `query($id: ID!) { node(id: $id) { id } }`, (id) => ({ id }), "key"],
    ["node (webhook)", `query($id: ID!) { node(id: $id) { id } }`, (id) => ({ id }), "whk"],
    ["node (delivery)", `query($id: ID!) { node(id: $id) { id } }`, (id) => ({ id }), "whd"],
    ["nodes", `query($id: ID!) { nodes(ids: [$id, $id]) { id } }`, (id) => ({ id }), "ver"],
    ["versionDiff from it", `query($id: ID!, $own: ID!) { versionDiff(fromId: $id, toId: $own) { identical } }`, (id) => ({ id, own: b.versions[1] }), "ver"],
    ["versionDiff to it", `query($id: ID!, $own: ID!) { versionDiff(fromId: $own, toId: $id) { identical } }`, (id) => ({ id, own: b.versions[1] }), "ver"],
    ["auditLog filtered by it", `query($id: ID!) { auditLog(filter: { deploymentId: $id }) { totalCount edges { node { id } } } }`, (id) => ({ id }), "dep"],
    ["webhookDeliveries", `query($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount } }`, (id) => ({ id }), "whk"],
    ["createVersion", `mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "x.py:f" }) { version { id } } }`, (id) => ({ id }), "dep"],
    [
      "createVersion (dry run)",
      `mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "x.py:f", dryRun: true }) { version { number } } }`,
      (id) => ({ id }),
      "dep",
    ],
    [
      "updateDeploymentSettings",
      `mutation($id: ID!) { updateDeploymentSettings(input: { deploymentId: $id, paused: true }) { deployment { id } } }`,
      (id) => ({ id }),
      "dep",
    ],
    ["rollback", `mutation($id: ID!) { rollback(input: { deploymentId: $id }) { change { id } } }`, (id) => ({ id }), "dep"],
    ["rollback (dry run)", `mutation($id: ID!) { rollback(input: { deploymentId: $id, dryRun: true }) { change { id } } }`, (id) => ({ id }), "dep"],
    ["promote", `mutation($id: ID!) { promote(input: { deploymentId: $id, unpin: true }) { change { id } } }`, (id) => ({ id }), "dep"],
    [
      "rollback of its own deployment to that version",
      `mutation($id: ID!, $own: ID!) { rollback(input: { deploymentId: $own, versionId: $id }) { change { id } } }`,
      (id) => ({ id, own: b.deployment }),
      "ver",
    ],
    ["pinLive", `mutation($id: ID!) { pinLive(input: { deploymentId: $id }) { change { id } } }`, (id) => ({ id }), "dep"],
    ["unpinLive", `mutation($id: ID!) { unpinLive(input: { deploymentId: $id }) { change { id } } }`, (id) => ({ id }), "dep"],
    ["flagVersion", `mutation($id: ID!) { flagVersion(input: { versionId: $id, status: BAD }) { flag { status } } }`, (id) => ({ id }), "ver"],
    ["archiveDeployment", `mutation($id: ID!) { archiveDeployment(input: { deploymentId: $id }) { deployment { id } } }`, (id) => ({ id }), "dep"],
    ["restoreDeployment", `mutation($id: ID!) { restoreDeployment(input: { deploymentId: $id }) { deployment { id } } }`, (id) => ({ id }), "dep"],
    [
      "deleteDeployment (with the right flow/name)",
      `mutation($id: ID!) { deleteDeployment(input: { deploymentId: $id, confirmName: "victim/prod" }) { deletedDeploymentId } }`,
      (id) => ({ id }),
      "dep",
    ],
    [
      "setDeploymentRetention",
      `mutation($id: ID!) { setDeploymentRetention(input: { deploymentId: $id, keepLast: 1 }) { deployment { id } } }`,
      (id) => ({ id }),
      "dep",
    ],
    ["revokeApiKey", `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, (id) => ({ id }), "key"],
    [
      "createWebhook for that deployment",
      `mutation($id: ID!, $url: String!) { createWebhook(input: { url: $url, deploymentId: $id }) { webhook { id } } }`,
      (id) => ({ id, url: receiver.url }),
      "dep",
    ],
    ["updateWebhook", `mutation($id: ID!) { updateWebhook(input: { id: $id, enabled: false }) { webhook { id } } }`, (id) => ({ id }), "whk"],
    ["rotateWebhookSecret", `mutation($id: ID!) { rotateWebhookSecret(input: { id: $id }) { secret } }`, (id) => ({ id }), "whk"],
    ["redeliver", `mutation($id: ID!) { redeliver(input: { deliveryId: $id }) { delivery { id } } }`, (id) => ({ id }), "whd"],
    ["deleteWebhook", `mutation($id: ID!) { deleteWebhook(input: { id: $id }) { deletedWebhookId } }`, (id) => ({ id }), "whk"],
  ];
  const victimId = (kind: string) =>
    ({ dep: a.deployment, ver: a.versions[2]!, chg: a.change, aud: a.audit, key: a.key, whk: a.webhook, whd: a.delivery })[kind]!;

  it("meets each of another workspace's ids exactly as an id that does not exist, over HTTP and graphql-ws, and changes nothing", async () => {
    const before = await victimState();
    const client = wsClient(server.url, b.admin);
    try {
      for (const [name, query, variables, kind] of byId) {
        const [foreign, unknown] = [victimId(kind), `${kind}_987654321`];
        const overHttp = await asB(query, variables(foreign));
        expect(shape(overHttp, foreign), `${name} over HTTP`).toBe(shape(await asB(query, variables(unknown)), unknown));
        expect(shape(await overWs(client, query, variables(foreign)), foreign), `${name} over graphql-ws`).toBe(shape(overHttp, foreign));
        expect(JSON.stringify(overHttp), name).not.toContain("victim");
      }
      // The subscription is the one way in that only graphql-ws has.
      const subscription = `subscription($id: ID!) { liveVersionChanged(deploymentId: $id) { id } }`;
      const foreign = await overWs(client, subscription, { id: a.deployment });
      expect(codes(foreign as GraphQLResult)).toEqual(["DEPLOYMENT_NOT_FOUND"]);
      expect(shape(foreign, a.deployment)).toBe(shape(await overWs(client, subscription, { id: "dep_987654321" }), "dep_987654321"));
    } finally {
      await client.dispose();
    }
    expect(await victimState()).toEqual(before);
    // The victim's read key still works.
    expect(codes(await postGraphQL(server.url, `{ viewer { keyName } }`, {}, bearer(a.keySecret)))).toEqual([]);
  });

  it("meets another workspace's idempotency keys as keys never used: no replay, no IDEMPOTENCY_KEY_REUSED", async () => {
    const input = (key: string) => ({ flowName: "victim", name: "keyed", entrypoint: "flows/etl.py:main", idempotencyKey: key });
    const theirs = [await createVersion(server, input("release-1")), await createVersion(server, input("release-2"))];
    const CREATE = `mutation($i: CreateVersionInput!) { createVersion(input: $i) { deployment { id } version { id number entrypoint } } }`;
    // Another input under the victim's key: a new key here, never "reused".
    const other = await asB(CREATE, { i: { ...input("release-1"), entrypoint: "other.py:f" } });
    expect(codes(other)).toEqual([]);
    expect(other.data!.createVersion.version).toMatchObject({ number: 1, entrypoint: "other.py:f" });
    // The victim's very input under its key: created here, not the victim's version answered.
    const same = await asB(CREATE, { i: input("release-2") });
    expect(codes(same)).toEqual([]);
    expect(same.data!.createVersion.version.id).not.toBe(theirs[1]!.version.id);
    expect(same.data!.createVersion.deployment.id).toBe(other.data!.createVersion.deployment.id);
    expect(same.data!.createVersion.version.number).toBe(2);
  });

  it("finds nothing through forged ids: other kinds' prefixes, huge, negative, padded, non-ASCII digits", async () => {
    const [, victimNumber] = a.deployment.split("_");
    const forged = [
      `ver_${victimNumber}`,
      `dep_0${victimNumber}`,
      `dep_-${victimNumber}`,
      `dep_${victimNumber} `,
      `DEP_${victimNumber}`,
      "dep_999999999999999",
      "dep_9999999999999999999999",
      "dep_1e3",
      "dep_١",
      `wsp_${victimNumber}`,
      Buffer.from(JSON.stringify(["deployment", Number(victimNumber)])).toString("base64url"),
    ];
    for (const id of forged) {
      const read = await asB(`query($id: ID!) { deployment(id: $id) { id } node(id: $id) { id } }`, { id });
      expect([read.errors, read.data], id).toEqual([undefined, { deployment: null, node: null }]);
      const moved = await asB(`mutation($id: ID!) { rollback(input: { deploymentId: $id }) { change { id } } }`, { id });
      expect(codes(moved), id).toEqual(["DEPLOYMENT_NOT_FOUND"]);
    }
  });

  it("pages only its own workspace's rows, whatever cursor it forges or copies from another list", async () => {
    const ownAudit = (await asB(`{ auditLog(first: 100) { edges { node { id } } } }`)).data!.auditLog.edges.map((e: any) => e.node.id);
    // The victim's own cursor, and ones forged from it, page the outsider's log only.
    const [at, id] = JSON.parse(Buffer.from(a.auditCursor, "base64url").toString()).slice(1) as [number, number];
    const cursors = [
      a.auditCursor,
      ...[
        [at + 1, id + 1],
        [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
        [at, 0],
      ].map((k) => Buffer.from(JSON.stringify(["audit", ...k])).toString("base64url")),
    ];
    for (const after of cursors) {
      const page = await asB(`query($after: String) { auditLog(first: 100, after: $after) { edges { node { id actor } } } }`, { after });
      expect(page.errors, after).toBeUndefined();
      for (const edge of page.data!.auditLog.edges) expect(ownAudit, after).toContain(edge.node.id);
    }
    const hooks = await asB(`query($after: String) { webhooks(first: 10, after: $after) { edges { node { id } } } }`, {
      after: Buffer.from(JSON.stringify(["webhook", 0])).toString("base64url"),
    });
    expect(hooks.data!.webhooks.edges.map((e: any) => e.node.id)).toEqual([b.webhook]);
    const ownDeliveries = await asB(`query($id: ID!) { webhookDeliveries(webhookId: $id, first: 100) { edges { node { id } } } }`, { id: b.webhook });
    const own = ownDeliveries.data!.webhookDeliveries.edges.map((e: any) => e.node.id);
    for (const before of [0, Number(a.delivery.split("_")[1]) + 1, Number.MAX_SAFE_INTEGER]) {
      const page = await asB(`query($id: ID!, $before: String) { webhookDeliveries(webhookId: $id, last: 100, before: $before) { edges { node { id } } } }`, {
        id: b.webhook,
        before: Buffer.from(JSON.stringify(["delivery", before])).toString("base64url"),
      });
      for (const edge of page.data!.webhookDeliveries.edges) expect(own, String(before)).toContain(edge.node.id);
    }
    // A cursor of another list is refused, not read as this one's.
    const wrongKind = await asB(`query($after: String) { auditLog(after: $after) { totalCount } }`, {
      after: Buffer.from(JSON.stringify(["webhook", 1])).toString("base64url"),
    });
    expect(codes(wrongKind)).toEqual(["BAD_USER_INPUT"]);
  });

  it("replays only its own workspace's log with afterSequence, and streams only its own changes", async () => {
    const own = (await asB(`{ lastLiveSequence }`)).data!.lastLiveSequence as number;
    expect((await server.gql(`{ lastLiveSequence }`)).data.lastLiveSequence).toBeGreaterThan(own);
    const sub = await subscribe(server.url, { afterSequence: 0 }, LIVE_CHANGED, wsClient(server.url, b.read));
    await sub.waitFor(own);
    await registered(server, 1);
    await createVersion(server, { deploymentId: a.deployment, entrypoint: "flows/etl.py:v5" });
    await asB(`mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "flows/own.py:v3" }) { version { id } } }`, { id: b.deployment });
    const events = await sub.waitFor(own + 1);
    const ownDeployments = (await asB(`{ deployments(first: 100) { edges { node { id } } } }`)).data!.deployments.edges.map((e: any) => e.node.id);
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: own + 1 }, (_, i) => i + 1));
    for (const event of events) expect(ownDeployments).toContain(event.deployment.id);
    expect(events.at(-1).deployment.id).toBe(b.deployment);
    await sub.close();
  });

  /** Operations each scope below admin must be refused, with ids of the outsider's own workspace. */
  const scoped: Array<[name: string, scope: "read" | "deploy" | "release" | "admin" | "operator", query: string, variables: () => Record<string, unknown>]> = [
    ["auditLog", "read", `{ auditLog { totalCount } }`, () => ({})],
    ["versionDiff", "read", `query($f: ID!, $t: ID!) { versionDiff(fromId: $f, toId: $t) { identical } }`, () => ({ f: b.versions[1], t: b.versions[2] })],
    [
      "updateDeploymentSettings",
      "deploy",
      `mutation($id: ID!) { updateDeploymentSettings(input: { deploymentId: $id }) { deployment { id } } }`,
      () => ({ id: b.deployment }),
    ],
    ["pinLive", "release", `mutation($id: ID!) { pinLive(input: { deploymentId: $id, reason: "x" }) { change { id } } }`, () => ({ id: "dep_987654321" })],
    ["unpinLive", "release", `mutation($id: ID!) { unpinLive(input: { deploymentId: $id }) { change { id } } }`, () => ({ id: "dep_987654321" })],
    [
      "flagVersion",
      "release",
      `mutation($id: ID!) { flagVersion(input: { versionId: $id, status: BAD }) { flag { status } } }`,
      () => ({ id: "ver_987654321" }),
    ],
    [
      "promote (dry run)",
      "release",
      `mutation($id: ID!) { promote(input: { deploymentId: $id, dryRun: true }) { change { id } } }`,
      () => ({ id: b.deployment }),
    ],
    [
      "archiveDeployment",
      "admin",
      `mutation($id: ID!) { archiveDeployment(input: { deploymentId: $id }) { deployment { id } } }`,
      () => ({ id: "dep_987654321" }),
    ],
    [
      "restoreDeployment",
      "admin",
      `mutation($id: ID!) { restoreDeployment(input: { deploymentId: $id }) { deployment { id } } }`,
      () => ({ id: "dep_987654321" }),
    ],
    [
      "deleteDeployment",
      "admin",
      `mutation($id: ID!) { deleteDeployment(input: { deploymentId: $id, confirmName: "own/prod" }) { deletedDeploymentId } }`,
      () => ({ id: "dep_987654321" }),
    ],
    [
      "setDeploymentRetention",
      "admin",
      `mutation($id: ID!) { setDeploymentRetention(input: { deploymentId: $id }) { deployment { id } } }`,
      () => ({ id: "dep_987654321" }),
    ],
    ["apiKeys", "admin", `{ apiKeys { id } }`, () => ({})],
    ["createApiKey (an admin key)", "admin", `mutation { createApiKey(input: { name: "escalated", scopes: [ADMIN] }) { key } }`, () => ({})],
    ["revokeApiKey", "admin", `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, () => ({ id: "key_987654321" })],
    ["createWorkspace", "operator", `mutation { createWorkspace(input: { name: "escalated" }) { key } }`, () => ({})],
    ["webhooks", "admin", `{ webhooks { totalCount } }`, () => ({})],
    ["webhookDeliveries", "admin", `query($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount } }`, () => ({ id: b.webhook })],
    ["createWebhook", "admin", `mutation($url: String!) { createWebhook(input: { url: $url }) { secret } }`, () => ({ url: "https://attacker.example/hook" })],
    [
      "updateWebhook",
      "admin",
      `mutation($id: ID!) { updateWebhook(input: { id: $id, url: "https://attacker.example/" }) { webhook { id } } }`,
      () => ({ id: "whk_987654321" }),
    ],
    ["rotateWebhookSecret", "admin", `mutation($id: ID!) { rotateWebhookSecret(input: { id: $id }) { secret } }`, () => ({ id: "whk_987654321" })],
    ["redeliver", "admin", `mutation($id: ID!) { redeliver(input: { deliveryId: $id }) { delivery { id } } }`, () => ({ id: "whd_987654321" })],
    ["deleteWebhook", "admin", `mutation($id: ID!) { deleteWebhook(input: { id: $id }) { deletedWebhookId } }`, () => ({ id: "whk_987654321" })],
  ];
  /** Only the operator workspace's admins may create workspaces: the outsider's admin key holds every other scope. */
  const holds = (key: string, needed: string) => needed !== "operator" && (key === "admin" || key === needed || needed === "read");

  it("lets each scope do only what the README gives it, over HTTP and graphql-ws alike", async () => {
    const clients = Object.fromEntries((["read", "deploy", "release", "admin"] as const).map((k) => [k, wsClient(server.url, b[k])]));
    try {
      for (const [name, needed, query, variables] of scoped) {
        for (const key of ["read", "deploy", "release", "admin"] as const) {
          const label = `${name} with a ${key} key`;
          const overHttp = await asB(query, variables(), b[key]);
          const overSocket = await overWs(clients[key]!, query, variables());
          for (const [transport, answer] of [
            ["HTTP", overHttp],
            ["graphql-ws", overSocket],
          ] as const) {
            const found = codes(answer as GraphQLResult);
            if (holds(key, needed)) expect(found, `${label} over ${transport}`).not.toContain("FORBIDDEN");
            else
              expect([found, (answer.data as any)?.[Object.keys(answer.data ?? {})[0] ?? ""] ?? null], `${label} over ${transport}`).toEqual([
                ["FORBIDDEN"],
                null,
              ]);
          }
        }
      }
    } finally {
      await Promise.all(Object.values(clients).map((c) => c.dispose()));
    }
    // Only the admin key's own two calls made a key.
    expect((await asB(`{ apiKeys { name } }`)).data!.apiKeys.filter((k: any) => k.name === "escalated")).toHaveLength(2);
  });

  it("keeps a revoked key's open graphql-ws connection from running anything more, subscription or not", async () => {
    const created = await asB(`mutation { createApiKey(input: { name: "leaving", scopes: [DEPLOY] }) { key apiKey { id } } }`);
    const { key, apiKey } = created.data!.createApiKey;
    let closedWith = 0;
    const client = wsClient(server.url, key, { closed: (event: { code: number }) => (closedWith = event.code) });
    try {
      expect(codes((await overWs(client, `{ viewer { keyName } }`, {})) as GraphQLResult)).toEqual([]);
      await asB(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: apiKey.id });
      await until("the connection closed", () => closedWith !== 0, 5_000);
      expect(closedWith).toBe(4403);
    } finally {
      await client.dispose();
    }
    const after = await asB(
      `mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "late.py:f" }) { version { id } } }`,
      { id: b.deployment },
      key,
    );
    expect(codes(after)).toEqual(["UNAUTHENTICATED"]);
  });

  it("cannot read a deleted deployment's versions or changes by id (node, nodes, versionDiff), even ones read before", async () => {
    const made = await asB(
      `mutation { createVersion(input: { flowName: "doomed", name: "prod", entrypoint: "secret.py:v1" }) { deployment { id } version { id } change { id } } }`,
    );
    const { deployment, version, change } = made.data!.createVersion;
    const second = await asB(`mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "secret.py:v2" }) { version { id } } }`, {
      id: deployment.id,
    });
    const v2 = second.data!.createVersion.version.id;
    const READ = `query($v: ID!, $c: ID!) {
      version: node(id: $v) { id ... on DeploymentVersion { entrypoint } }
      change: node(id: $c) { id }
      nodes(ids: [$v, $c]) { id }
    }`;
    const DIFF = `query($v: ID!, $w: ID!) { versionDiff(fromId: $v, toId: $w) { from { entrypoint } changes { path } } }`;
    // Read once, so that every cache an instance keeps has seen them.
    expect((await asB(READ, { v: version.id, c: change.id })).data!.version.entrypoint).toBe("secret.py:v1");
    expect(codes(await asB(DIFF, { v: version.id, w: v2 }))).toEqual([]);
    const deleted = await asB(`mutation($id: ID!) { deleteDeployment(input: { deploymentId: $id, confirmName: "doomed/prod" }) { deletedDeploymentId } }`, {
      id: deployment.id,
    });
    expect(codes(deleted)).toEqual([]);
    const read = await asB(READ, { v: version.id, c: change.id });
    expect([read.errors, read.data]).toEqual([undefined, { version: null, change: null, nodes: [null, null] }]);
    const diff = await asB(DIFF, { v: version.id, w: v2 });
    expect([codes(diff), diff.data]).toEqual([["VERSION_NOT_FOUND"], null]);
  });

  it("replays a deleted deployment's changes with its versions' bodies erased, as the store holds them", async () => {
    const made = await asB(`mutation { createVersion(input: { flowName: "erased", name: "prod", entrypoint: "secret.py:v1" }) { deployment { id } } }`);
    const id = made.data!.createVersion.deployment.id;
    await asB(`mutation($id: ID!) { createVersion(input: { deploymentId: $id, entrypoint: "secret.py:v2" }) { version { id } } }`, { id });
    // Read once, so that every cache an instance keeps has seen them.
    const history = `query($id: ID!) { deployment(id: $id) { liveHistory { totalCount edges { node { liveVersion { entrypoint } } } } } }`;
    const before = await asB(history, { id });
    expect(before.data!.deployment.liveHistory.edges.map((e: any) => e.node.liveVersion.entrypoint)).toEqual(["secret.py:v2", "secret.py:v1"]);
    const changes = before.data!.deployment.liveHistory.totalCount as number;
    await asB(`mutation($id: ID!) { deleteDeployment(input: { deploymentId: $id, confirmName: "erased/prod" }) { deletedDeploymentId } }`, { id });
    const query = `subscription($id: ID!) { liveVersionChanged(deploymentId: $id, afterSequence: 0) { kind liveVersion { entrypoint prunedAt } } }`;
    const sub = await subscribe(server.url, { id }, query, wsClient(server.url, b.read));
    const events = await sub.waitFor(changes + 1);
    await sub.close();
    expect(events.map((e) => e.kind)).toEqual([...Array.from({ length: changes }, () => "CREATE"), "DELETED"]);
    for (const event of events) expect(event.liveVersion).toEqual({ entrypoint: "", prunedAt: expect.any(String) });
  });

  it("learns nothing from another workspace's automatic persisted queries", async () => {
    const text = `{ deploymentByName(flowName: "victim", name: "prod") { id } }`;
    const hash = (query: string) => createHash("sha256").update(query).digest("hex");
    const persisted = (key: string, query: string | undefined, sha: string) =>
      fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(key) },
        body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha } } }),
      }).then(async (r) => ({ status: r.status, ...((await r.json()) as Answer) }));
    // The victim's client sends its query with its hash, as an APQ link does.
    const registeredByVictim = await persisted(TEST_ADMIN_KEY, text, hash(text));
    // The outsider asks by hash alone: a text the victim sent answers as one nobody sent.
    const guessed = await persisted(b.read, undefined, hash(text));
    const neverSent = `{ deploymentByName(flowName: "nobody", name: "prod") { id } }`;
    const unknown = await persisted(b.read, undefined, hash(neverSent));
    expect(shape(guessed, hash(text))).toBe(shape(unknown, hash(neverSent)));
    expect(guessed.status).toBe(unknown.status);
    // The victim's own client keeps whatever it was given.
    const again = await persisted(TEST_ADMIN_KEY, undefined, hash(text));
    expect(shape(again, hash(text))).toBe(shape(registeredByVictim, hash(text)));
  });
});

describe.each(STORES)("a workspace's last admin key (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  it("cannot be revoked, by itself or by a fellow admin racing to revoke it, so the workspace stays manageable", async () => {
    const REVOKE = `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id revokedAt } } }`;
    const KEY = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }`;
    const created = (await server.gql(`mutation { createWorkspace(input: { name: "last-admin" }) { key apiKey { id } } }`)).data.createWorkspace;
    const first = { key: created.key as string, id: created.apiKey.id as string };
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    // Alone, it may not revoke itself.
    const alone = await server.gql(REVOKE, { id: first.id }, as(first.key));
    expect(codes(alone)).toEqual(["BAD_USER_INPUT"]);
    expect(alone.errors![0]!.message).toMatch(/last .*admin key/);
    // Keys of narrower scopes are no admin to fall back on.
    const deploy = (await server.gql(KEY, { i: { name: "ci", scopes: ["DEPLOY", "RELEASE"] } }, as(first.key))).data.createApiKey;
    expect(codes(await server.gql(REVOKE, { id: first.id }, as(first.key)))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await server.gql(REVOKE, { id: deploy.apiKey.id }, as(first.key)))).toEqual([]);
    // Two admins revoking each other at once: one wins, one admin key is left.
    const second = (await server.gql(KEY, { i: { name: "second-admin", scopes: ["ADMIN"] } }, as(first.key))).data.createApiKey;
    const raced = await Promise.all([server.gql(REVOKE, { id: second.apiKey.id }, as(first.key)), server.gql(REVOKE, { id: first.id }, as(second.key))]);
    // The loser is refused as the last admin key, or, if the winner's revocation came first, as a revoked key.
    expect(raced.filter((r) => codes(r).length === 0)).toHaveLength(1);
    for (const r of raced) expect([[], ["BAD_USER_INPUT"], ["UNAUTHENTICATED"]]).toContainEqual(codes(r));
    const admins = [first, { key: second.key as string, id: second.apiKey.id as string }];
    const working = await Promise.all(admins.map(async (k) => codes(await server.gql(`{ apiKeys { id } }`, {}, as(k.key))).length === 0));
    const left = admins.filter((_, i) => working[i]);
    expect(left).toHaveLength(1);
    // Once another admin key exists, it may go.
    const third = (await server.gql(KEY, { i: { name: "third-admin", scopes: ["ADMIN"] } }, as(left[0]!.key))).data.createApiKey;
    expect(codes(await server.gql(REVOKE, { id: left[0]!.id }, as(third.key)))).toEqual([]);
  });
});

describe.each(STORES)("revoking a key already revoked (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  it("answers it unchanged and leaves every other key answered from memory", async () => {
    const statements = countStatements([...new Set([server.app.db.dataSource, server.app.db.reader.connection])]);
    const outsider = (await server.gql(`mutation { createWorkspace(input: { name: "flusher" }) { key } }`)).data.createWorkspace.key as string;
    const as = { authorization: `Bearer ${outsider}` };
    const gone = (await server.gql(`mutation { createApiKey(input: { name: "gone", scopes: [READ] }) { apiKey { id } } }`, {}, as)).data.createApiKey.apiKey.id;
    const REVOKE = `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`;
    const revokedAt = (await server.gql(REVOKE, { id: gone }, as)).data.revokeApiKey.apiKey.revokedAt;
    // The victim's key, answered from memory as usual.
    expect(codes(await server.gql(`{ viewer { keyName } }`))).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await server.gql(REVOKE, { id: gone }, as)).data.revokeApiKey.apiKey.revokedAt).toBe(revokedAt);
    statements.reset();
    expect(codes(await server.gql(`{ __typename }`))).toEqual([]);
    expect(statements.count).toBe(0);
  });
});

describe.each(STORES)("the bootstrap key (%s)", (store) => {
  it("stays revoked when a server starts again with it in WAYMARK_BOOTSTRAP_KEY", async () => {
    const database = await freshDatabase(store);
    const config = parseConfig({ DATABASE_URL: database.url, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WAYMARK_BOOTSTRAP_KEY: TEST_ADMIN_KEY });
    const start = async () => {
      const app = await createApp({ config, logger: createLogger("silent") });
      return { app, url: await app.listen() };
    };
    let first: Awaited<ReturnType<typeof start>> | null = null;
    let second: Awaited<ReturnType<typeof start>> | null = null;
    try {
      first = await start();
      const successor = await postGraphQL(first.url, `mutation { createApiKey(input: { name: "successor", scopes: [ADMIN] }) { key } }`);
      const key = (successor.data as any).createApiKey.key as string;
      const keys = await postGraphQL(first.url, `{ apiKeys { id name } }`);
      const bootstrap = (keys.data as any).apiKeys.find((k: { name: string }) => k.name === "bootstrap-admin").id;
      expect(
        codes(await postGraphQL(first.url, `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: bootstrap }, bearer(key))),
      ).toEqual([]);
      await first.app.close();
      first = null;
      second = await start();
      expect(second.app.generatedAdminKey).toBeNull();
      expect(codes(await postGraphQL(second.url, `{ viewer { keyName } }`))).toEqual(["UNAUTHENTICATED"]);
      const after = await postGraphQL(second.url, `{ apiKeys { name revokedAt } }`, {}, bearer(key));
      expect((after.data as any).apiKeys).toEqual([
        { name: "bootstrap-admin", revokedAt: expect.any(String) },
        { name: "successor", revokedAt: null },
      ]);
    } finally {
      await first?.app.close();
      await second?.app.close();
      await database.drop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentWithVersions, PROMOTE, ROLLBACK } from "../support/operations";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { startReceiver, type Receiver } from "../support/webhook-receiver";

const ENV = {
  WAYMARK_SECRET_KEY: "test-secret-key-0123456789abcdefghijklmnop",
  WAYMARK_WEBHOOKS_ALLOW_HTTP: "loopback",
  WAYMARK_WEBHOOKS_ALLOWED_HOSTS: "127.0.0.1",
  WAYMARK_WEBHOOKS_POLL_MS: "50",
};

const NODE = `query($id: ID!) { node(id: $id) { __typename id ... on AuditEntry { kind } ... on Webhook { url } ... on WebhookDelivery { event } } }`;

type Page = { ids: string[]; hasPreviousPage: boolean; hasNextPage: boolean; startCursor: string | null; endCursor: string | null };

/** Every list that is a connection, by the selection that reaches it and the path to it in the answer. */
const LISTS: Record<string, { query: (args: string) => string; at: (data: any) => any }> = {
  webhooks: { query: (args) => `{ webhooks(${args}) { ${PAGE} } }`, at: (d) => d.webhooks },
  webhookDeliveries: { query: (args) => `query($hook: ID!) { webhookDeliveries(webhookId: $hook, ${args}) { ${PAGE} } }`, at: (d) => d.webhookDeliveries },
  auditLog: { query: (args) => `{ auditLog(${args}) { ${PAGE} } }`, at: (d) => d.auditLog },
  livePeriods: {
    query: (args) =>
      `query($dep: ID!) { deployment(id: $dep) { livePeriods(${args}) { edges { cursor node { from to endedBy version { id } } } pageInfo { ${INFO} } } } }`,
    at: (d) => d.deployment.livePeriods,
  },
};
const INFO = "hasPreviousPage hasNextPage startCursor endCursor";
const PAGE = `edges { cursor node { id } } pageInfo { ${INFO} }`;

// Relay pages both ways: `last`/`before` walks a list from its end and meets `first`/`after` in the middle.
describe.each(STORES)("Node and backward paging on the audit log, webhooks, deliveries and live periods (%s)", (store) => {
  let server: TestServer;
  let receiver: Receiver;
  let vars: { hook: string; dep: string };

  const page = async (list: string, args: string): Promise<Page> => {
    const answer = await server.gql(LISTS[list]!.query(args), vars);
    expect(answer.errors, `${list}(${args})`).toBeUndefined();
    const connection = LISTS[list]!.at(answer.data);
    const ids = connection.edges.map((e: any) => e.node.id ?? `${e.node.from}/${e.node.to}/${e.node.endedBy}/${e.node.version.id}`);
    return { ids, ...connection.pageInfo };
  };

  beforeAll(async () => {
    server = await startServer(store, ENV);
    receiver = await startReceiver();
    for (let i = 0; i < 5; i++) {
      const made = await server.gql(`mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }`, {
        i: { url: `${receiver.url}/${i}` },
      });
      expect(made.errors).toBeUndefined();
      vars = { hook: made.data.createWebhook.webhook.id, dep: "" };
    }
    const { deploymentId } = await deploymentWithVersions(server, 3, "relay-lists");
    vars.dep = deploymentId;
    for (let i = 0; i < 3; i++) {
      await server.gql(ROLLBACK, { input: { deploymentId, reason: `back ${i}` } });
      await server.gql(PROMOTE, { input: { deploymentId } });
    }
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  it.each(Object.keys(LISTS))("%s: last/before walks the whole list from its end, the same items as first/after", async (list) => {
    const forward: string[] = [];
    for (let after: string | null = null, more = true; more;) {
      const p: Page = await page(list, `first: 2${after ? `, after: "${after}"` : ""}`);
      forward.push(...p.ids);
      [after, more] = [p.endCursor, p.hasNextPage];
    }
    expect(forward.length).toBeGreaterThanOrEqual(5);
    expect(new Set(forward).size).toBe(forward.length);

    const backward: string[] = [];
    let first = true;
    for (let before: string | null = null, more = true; more; first = false) {
      const p: Page = await page(list, `last: 2${before ? `, before: "${before}"` : ""}`);
      expect(p.ids.length).toBeLessThanOrEqual(2);
      if (first) expect(p.hasNextPage).toBe(false);
      else expect(p.hasNextPage).toBe(true);
      backward.unshift(...p.ids);
      [before, more] = [p.startCursor, p.hasPreviousPage];
    }
    expect(backward).toEqual(forward);
  });

  it("refuses first with last, and after with last", async () => {
    expect(codes(await server.gql(`{ webhooks(first: 1, last: 1) { totalCount } }`))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await server.gql(`{ auditLog(last: 1, after: "x") { totalCount } }`))).toEqual(["BAD_USER_INPUT"]);
  });

  it("answers an audit entry, a webhook and a delivery by node(id:), webhooks and deliveries to admins only", async () => {
    const audit = (await page("auditLog", "first: 1")).ids[0]!;
    const delivery = (await page("webhookDeliveries", "first: 1")).ids[0]!;
    expect((await server.gql(NODE, { id: audit })).data.node).toMatchObject({ __typename: "AuditEntry", id: audit, kind: expect.any(String) });
    expect((await server.gql(NODE, { id: vars.hook })).data.node).toEqual({ __typename: "Webhook", id: vars.hook, url: `${receiver.url}/4` });
    expect((await server.gql(NODE, { id: delivery })).data.node).toMatchObject({ __typename: "WebhookDelivery", id: delivery });

    const reader = (await server.gql(`mutation { createApiKey(input: { name: "lists-reader", scopes: [READ] }) { key } }`)).data.createApiKey.key as string;
    const asReader = { authorization: `Bearer ${reader}` };
    expect((await server.gql(NODE, { id: audit }, asReader)).data.node.id).toBe(audit);
    expect((await server.gql(NODE, { id: vars.hook }, asReader)).data.node).toBeNull();
    expect((await server.gql(NODE, { id: delivery }, asReader)).data.node).toBeNull();

    const other = (await server.gql(`mutation { createWorkspace(input: { name: "lists-other-${store}" }) { key } }`)).data.createWorkspace.key as string;
    const asOther = { authorization: `Bearer ${other}` };
    for (const id of [audit, vars.hook, delivery]) expect((await server.gql(NODE, { id }, asOther)).data.node, id).toBeNull();
  });
});

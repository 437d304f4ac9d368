import { Client, fetchExchange, gql, subscriptionExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { relayPagination } from "@urql/exchange-graphcache/extras";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/processes";
import { CHANGE, HISTORY_TEXT, LIVE_TEXT } from "../support/client-queries";
import { resumingWsClient } from "../support/resume-ws";
import { startClientSuiteServer, type ClientSuiteServer } from "../support/client-suite";
import { TEST_ADMIN_KEY, type TestServer } from "../support/server";

// urql with its default settings (short queries go as GET) and graphcache, normalising by id.
const HISTORY = gql(HISTORY_TEXT);
const LIVE = gql(LIVE_TEXT);

describe("urql with graphcache", () => {
  let server: TestServer;
  let deploymentId: string;
  let move: ClientSuiteServer["move"];
  const methods: string[] = [];

  beforeAll(async () => {
    ({ server, deploymentId, move } = await startClientSuiteServer());
  });

  afterAll(async () => server?.close());

  const urql = (ws?: ReturnType<typeof resumingWsClient>) =>
    new Client({
      url: server.url,
      fetchOptions: { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } },
      fetch: (input, init) => (methods.push(init?.method ?? "GET"), fetch(input, init)),
      exchanges: [
        cacheExchange({
          keys: {
            PageInfo: () => null,
            DeploymentVersionConnection: () => null,
            DeploymentVersionEdge: () => null,
            RollbackPayload: () => null,
            PromotePayload: () => null,
          },
          resolvers: { Deployment: { versions: relayPagination() } },
        }),
        fetchExchange,
        ...(ws
          ? [
              subscriptionExchange({
                forwardSubscription: (request) => ({
                  subscribe: (sink) => ({ unsubscribe: ws.client.subscribe({ ...request, query: request.query ?? "" }, sink) }),
                }),
              }),
            ]
          : []),
      ],
    });
  const isLive = async (client: Client) => {
    const { data } = await client.query<any>(HISTORY, { id: deploymentId }, { requestPolicy: "cache-only" }).toPromise();
    return Object.fromEntries(data.deployment.versions.edges.map((e: any) => [e.node.number, e.node.isLive]));
  };

  it("sends queries as GET and mutations as POST, pages with relayPagination, and a rollback updates isLive in the cache without a refetch", async () => {
    const client = urql();
    const first = await client.query<any>(HISTORY, { id: deploymentId }).toPromise();
    expect(first.error).toBeUndefined();
    expect(methods).toEqual(["GET"]);
    await client.query<any>(HISTORY, { id: deploymentId, after: first.data.deployment.versions.pageInfo.endCursor }).toPromise();
    expect(methods).toEqual(["GET", "GET"]);
    expect(await isLive(client)).toEqual({ 3: true, 2: false, 1: false });

    const rolledBack = await client
      .mutation<any>(`mutation Rollback($id: ID!) { rollback(input: { deploymentId: $id }) { change { ${CHANGE} } } }`, { id: deploymentId })
      .toPromise();
    expect(rolledBack.error).toBeUndefined();
    expect(methods).toEqual(["GET", "GET", "POST"]);
    expect(await isLive(client)).toEqual({ 3: false, 2: true, 1: false });
    expect(methods).toHaveLength(3);
    await client.mutation(`mutation($id: ID!) { promote(input: { deploymentId: $id }) { change { ${CHANGE} } } }`, { id: deploymentId }).toPromise();
  });

  it("keeps the cache live over graphql-ws and resumes after a dropped connection with no gap and no repeat", async () => {
    const head = (await server.gql("{ lastLiveSequence }")).data.lastLiveSequence as number;
    const ws = resumingWsClient(server.url, head);
    const client = urql(ws);
    await client.query(HISTORY, { id: deploymentId }).toPromise();
    const seen: number[] = [];
    const subscription = client.subscription<any>(LIVE, {}).subscribe((r) => r.data && seen.push(r.data.liveVersionChanged.sequence));
    await waitFor("the subscription", async () => server.app.live.hub.listenerCount === 1 || Promise.reject(new Error("not yet")));

    await move("rollback");
    await waitFor("a change", async () => seen.length === 1 || Promise.reject(new Error(String(seen))));
    ws.dropConnection();
    await move("rollback");
    await move("promote");
    ws.reconnect();
    await waitFor("the changes made while away", async () => seen.length === 3 || Promise.reject(new Error(String(seen))));
    await move("rollback");
    await waitFor("the next change", async () => seen.length === 4 || Promise.reject(new Error(String(seen))));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(seen).toEqual([head + 1, head + 2, head + 3, head + 4]);
    expect(await isLive(client)).toEqual({ 3: false, 2: true });
    subscription.unsubscribe();
    await ws.client.dispose();
  });
});

import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition, relayStylePagination } from "@apollo/client/utilities";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/processes";
import { CHANGE, HISTORY_TEXT, LIVE_TEXT } from "../support/client-queries";
import { resumingWsClient } from "../support/resume-ws";
import { startClientSuiteServer, type ClientSuiteServer } from "../support/client-suite";
import { TEST_ADMIN_KEY, type TestServer } from "../support/server";

// Apollo Client 4 as a frontend uses it: HttpLink for queries and mutations, GraphQLWsLink for
// the subscription, relayStylePagination on versions, objects normalised as `__typename:id`.
const HISTORY = gql(HISTORY_TEXT);
const ROLLBACK = gql`mutation Rollback($id: ID!) { rollback(input: { deploymentId: $id }) { change { ${CHANGE} } } }`;
const LIVE = gql(LIVE_TEXT);

describe("Apollo Client 4", () => {
  let server: TestServer;
  let deploymentId: string;
  let move: ClientSuiteServer["move"];
  const methods: string[] = [];

  beforeAll(async () => {
    ({ server, deploymentId, move } = await startClientSuiteServer());
  });

  afterAll(async () => server?.close());

  const apollo = (wsLink?: GraphQLWsLink, persisted = false) => {
    const http = new HttpLink({
      uri: server.url,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      fetch: (input, init) => (methods.push(init?.method ?? "GET"), fetch(input, init)),
    });
    const split_ = wsLink
      ? split(
          ({ query }) => {
            const d = getMainDefinition(query);
            return d.kind === "OperationDefinition" && d.operation === "subscription";
          },
          wsLink,
          http,
        )
      : http;
    // Automatic persisted queries as Apollo sets them up: the hash alone first (over GET), the query only on a miss.
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    const link = persisted ? createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(split_) : split_;
    return new ApolloClient({ link, cache: new InMemoryCache({ typePolicies: { Deployment: { fields: { versions: relayStylePagination() } } } }) });
  };
  const isLive = (client: ApolloClient) => {
    const data = client.readQuery<any>({ query: HISTORY, variables: { id: deploymentId } });
    return Object.fromEntries(data.deployment.versions.edges.map((e: any) => [e.node.number, e.node.isLive]));
  };

  it("pages versions with relayStylePagination, and a rollback updates isLive in the cache without a refetch", async () => {
    const client = apollo();
    const first = await client.query<any>({ query: HISTORY, variables: { id: deploymentId } });
    expect(first.data.deployment.versions.edges.map((e: any) => e.node.number)).toEqual([3, 2]);
    const watched = client.watchQuery<any>({ query: HISTORY, variables: { id: deploymentId } });
    const watching = watched.subscribe(() => undefined);
    await watched.fetchMore({ variables: { after: first.data.deployment.versions.pageInfo.endCursor } });
    watching.unsubscribe();
    expect(isLive(client)).toEqual({ 3: true, 2: false, 1: false });

    const requests = methods.length;
    await client.mutate({ mutation: ROLLBACK, variables: { id: deploymentId } });
    expect(methods.length).toBe(requests + 1);
    expect(isLive(client)).toEqual({ 3: false, 2: true, 1: false });
    expect(client.readQuery<any>({ query: HISTORY, variables: { id: deploymentId } }).deployment.liveVersion.number).toBe(2);
    await client.mutate({
      mutation: gql`mutation($id: ID!) { promote(input: { deploymentId: $id }) { change { ${CHANGE} } } }`,
      variables: { id: deploymentId },
    });
  });

  it("keeps the cache live through GraphQLWsLink and resumes after a dropped connection with no gap and no repeat", async () => {
    const head = (await server.gql("{ lastLiveSequence }")).data.lastLiveSequence as number;
    const ws = resumingWsClient(server.url, head);
    const client = apollo(new GraphQLWsLink(ws.client));
    await client.query({ query: HISTORY, variables: { id: deploymentId } });
    const seen: number[] = [];
    const subscription = client.subscribe<any>({ query: LIVE }).subscribe({ next: (r) => seen.push(r.data.liveVersionChanged.sequence) });
    await waitFor("the subscription", async () => server.app.live.hub.listenerCount === 1 || Promise.reject(new Error("not yet")));

    await move("rollback");
    await waitFor("a change", async () => seen.length === 1 || Promise.reject(new Error(String(seen))));
    expect(isLive(client)).toMatchObject({ 3: false, 2: true });

    ws.dropConnection();
    await move("rollback");
    await move("promote");
    ws.reconnect();
    await waitFor("the changes made while away", async () => seen.length === 3 || Promise.reject(new Error(String(seen))));
    await move("rollback");
    await waitFor("the next change", async () => seen.length === 4 || Promise.reject(new Error(String(seen))));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(seen).toEqual([head + 1, head + 2, head + 3, head + 4]);
    expect(isLive(client)).toEqual({ 3: false, 2: true });
    subscription.unsubscribe();
    await ws.client.dispose();
  });

  it("works through createPersistedQueryLink: a miss is answered, the query registered, and a subscription carries its hash over graphql-ws", async () => {
    const sent: Array<{ method: string; query: boolean }> = [];
    const ws = resumingWsClient(server.url, (await server.gql("{ lastLiveSequence }")).data.lastLiveSequence as number);
    const client = apollo(new GraphQLWsLink(ws.client), true);
    const spy = (url: string, method: string) => sent.push({ method, query: method === "GET" ? new URL(url).searchParams.has("query") : true });
    const original = globalThis.fetch;
    globalThis.fetch = (input, init) => (spy(String(input), init?.method ?? "GET"), original(input, init));
    try {
      const first = await client.query<any>({ query: HISTORY, variables: { id: deploymentId }, fetchPolicy: "network-only" });
      const again = await client.query<any>({ query: HISTORY, variables: { id: deploymentId }, fetchPolicy: "network-only" });
      expect(again.data).toEqual(first.data);
    } finally {
      globalThis.fetch = original;
    }
    // The first query: the hash alone (a miss), then the query; the repeat: the hash alone, answered.
    expect(sent).toEqual([
      { method: "GET", query: false },
      { method: "POST", query: true },
      { method: "GET", query: false },
    ]);

    const seen: unknown[] = [];
    const subscription = client
      .subscribe<any>({ query: LIVE })
      .subscribe({ next: (r) => seen.push(r.data?.liveVersionChanged?.sequence ?? r.error), error: (e: unknown) => seen.push(e) });
    await waitFor("the subscription", async () => server.app.live.hub.listenerCount === 1 || Promise.reject(new Error(String(seen))));
    await move("rollback");
    await waitFor("a change", async () => seen.length === 1 || Promise.reject(new Error(String(seen))));
    expect(seen).toEqual([expect.any(Number)]);
    subscription.unsubscribe();
    await ws.client.dispose();
  });
});

import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition, relayStylePagination } from "@apollo/client/utilities";
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

  const apollo = (wsLink?: GraphQLWsLink) => {
    const http = new HttpLink({
      uri: server.url,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
      fetch: (input, init) => (methods.push(init?.method ?? "GET"), fetch(input, init)),
    });
    const link = wsLink
      ? split(
          ({ query }) => {
            const d = getMainDefinition(query);
            return d.kind === "OperationDefinition" && d.operation === "subscription";
          },
          wsLink,
          http,
        )
      : http;
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
});

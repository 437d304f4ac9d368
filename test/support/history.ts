import type { TestServer } from "./server";

export interface LogEntry {
  id: string;
  sequence: number;
  kind: string;
  previousVersion: { id: string } | null;
  liveVersion: { id: string };
}

/** Reads every page of a connection field of a deployment, oldest last, as the API returns it. */
async function allPages<T>(server: TestServer, deploymentId: string, field: string, selection: string): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const result: { errors?: unknown; data?: any } = await server.gql(
      `query($id: ID!, $after: String) { deployment(id: $id) { ${field}(first: 100, after: $after) { edges { node { ${selection} } } pageInfo { hasNextPage endCursor } } } }`,
      { id: deploymentId, after },
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    const connection: { edges: Array<{ node: T }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = result.data.deployment[field];
    nodes.push(...connection.edges.map((edge: { node: T }) => edge.node));
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
  throw new Error("too many pages");
}

export const allVersions = (server: TestServer, deploymentId: string) =>
  allPages<{ id: string; number: number; isLive: boolean }>(server, deploymentId, "versions", "id number isLive");

export const allChanges = (server: TestServer, deploymentId: string) =>
  allPages<LogEntry>(server, deploymentId, "liveHistory", "id sequence kind previousVersion { id } liveVersion { id }");

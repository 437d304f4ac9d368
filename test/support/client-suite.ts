/**
 * The server the frontend-client suites (Apollo Client, urql) run against, and the moves they make
 * on it behind their clients' backs.
 */
import { startServer, type TestServer } from "./server";

export interface ClientSuiteServer {
  server: TestServer;
  /** One deployment of three versions (commits 1111111, 2222222, 3333333), the third live. */
  deploymentId: string;
  /** Rolls back or promotes that deployment by default (the newest older or newer version). */
  move(to: "rollback" | "promote"): Promise<unknown>;
}

export async function startClientSuiteServer(): Promise<ClientSuiteServer> {
  const server = await startServer("sqlite");
  let deploymentId = "";
  for (const sha of ["1111111", "2222222", "3333333"]) {
    const r = await server.gql(
      `mutation($sha: String!) { createVersion(input: { flowName: "etl", name: "prod", entrypoint: "f.py:main", sourceInfo: { commitSha: $sha } }) { deployment { id } } }`,
      { sha },
    );
    deploymentId = r.data.createVersion.deployment.id;
  }
  const move = (to: "rollback" | "promote") => server.gql(`mutation($id: ID!) { ${to}(input: { deploymentId: $id }) { change { id } } }`, { id: deploymentId });
  return { server, deploymentId, move };
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, STORES, type TestServer, capturedLog } from "../support/server";
import { createVersion } from "../support/operations";

// docs/design.md, "Errors": anything unexpected is logged and reaches the client only as a generic error.
describe.each(STORES)("unexpected errors on %s", (store) => {
  let server: TestServer;
  const { lines, log } = capturedLog();
  beforeAll(async () => void (server = await startServer(store, {}, log)));
  afterAll(() => server?.close());

  it("masks a database failure the code did not expect, and logs it with its detail", async () => {
    const { deployment } = await createVersion(server, { flowName: "mask", name: "m" });
    // Break the store under the running server: the table every history read needs is gone.
    await server.app.db.dataSource.query(store === "mysql" ? "RENAME TABLE live_version_change TO gone" : "ALTER TABLE live_version_change RENAME TO gone");
    const result = await server.gql(`query($id: ID!) { deployment(id: $id) { liveHistory { edges { node { id } } } } }`, { id: deployment.id });
    expect(result.errors).toEqual([expect.objectContaining({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } })]);
    expect(JSON.stringify(result)).not.toMatch(/live_version_change|SELECT|SQLITE_|ER_NO|\.ts:|\n\s+at /);
    expect(lines.some((line) => line.includes("unexpected error") && line.includes("live_version_change"))).toBe(true);
    await server.app.db.dataSource.query(store === "mysql" ? "RENAME TABLE gone TO live_version_change" : "ALTER TABLE gone RENAME TO live_version_change");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { CREATE_VERSION, ROLLBACK } from "../support/operations";

// docs/design.md, "Idempotency": a retry with the same key and input gets the first answer; other input is refused.
describe.each(STORES)("idempotencyKey on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const input = (extra: Record<string, unknown> = {}) => ({ flowName: "idem", name: "i", entrypoint: "flows/a.py:f", parameters: { a: 1 }, ...extra });

  it("returns the version and change first created, with the deployment as it is now", async () => {
    const first = await server.gql(CREATE_VERSION, { input: input({ idempotencyKey: "run-1" }) });
    const deploymentId = first.data.createVersion.deployment.id;
    await server.gql(CREATE_VERSION, { input: input({ idempotencyKey: "run-2" }) });
    await server.gql(ROLLBACK, { input: { deploymentId } });
    const retry = await server.gql(CREATE_VERSION, { input: input({ idempotencyKey: "run-1", parameters: { a: 1 } }) });
    expect(retry.errors).toBeUndefined();
    // Version 1 is live again after the rollback, so even isLive matches the first answer.
    expect(retry.data.createVersion.version).toEqual(first.data.createVersion.version);
    expect(retry.data.createVersion.change).toEqual(first.data.createVersion.change);
    expect(retry.data.createVersion.deployment.versionCount).toBe(2);
    expect(retry.data.createVersion.deployment.liveVersion.number).toBe(1);
  });

  it("ignores expectedLiveVersionId when comparing a retry, and checks the key before anything else", async () => {
    const first = await server.gql(CREATE_VERSION, { input: input({ name: "cas", idempotencyKey: "cas-1" }) });
    const { deployment, version } = first.data.createVersion;
    await server.gql(CREATE_VERSION, { input: input({ name: "cas" }) });
    // The expectation is stale now, but the retry must still get its first answer, not a conflict.
    const retry = await server.gql(CREATE_VERSION, { input: input({ name: "cas", idempotencyKey: "cas-1", expectedLiveVersionId: version.id }) });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.createVersion.version.id).toBe(version.id);
    expect(retry.data.createVersion.deployment.id).toBe(deployment.id);
  });

  it("refuses the same key with different input and creates nothing", async () => {
    await server.gql(CREATE_VERSION, { input: input({ name: "reuse", idempotencyKey: "k" }) });
    const reused = await server.gql(CREATE_VERSION, { input: input({ name: "reuse", idempotencyKey: "k", parameters: { a: 2 } }) });
    expect(codes(reused)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    // Even an input that would be invalid is answered by the key check first.
    const invalid = await server.gql(CREATE_VERSION, { input: input({ name: "", idempotencyKey: "k" }) });
    expect(codes(invalid)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    const count = await server.gql(`{ deploymentByName(flowName: "idem", name: "reuse") { versionCount } }`);
    expect(count.data.deploymentByName.versionCount).toBe(1);
  });

  it("creates exactly one version when the same request races itself", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => server.gql(CREATE_VERSION, { input: input({ name: "race", idempotencyKey: "race-1" }) })),
    );
    for (const attempt of attempts) expect(attempt.errors).toBeUndefined();
    expect(new Set(attempts.map((a) => a.data.createVersion.version.id)).size).toBe(1);
    const count = await server.gql(`{ deploymentByName(flowName: "idem", name: "race") { versionCount liveHistory { totalCount } } }`);
    expect(count.data.deploymentByName).toEqual({ versionCount: 1, liveHistory: { totalCount: 1 } });
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freshDatabase, postGraphQL } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { CREATE_VERSION, ROLLBACK } from "../support/operations";
import { registeredAt, subscribe } from "../support/subscriptions";

// docs/design.md, "Subscriptions across instances": two server processes on one MariaDB, live changes carried by a real Redis.
describe("two instances sharing MariaDB and Redis", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await freshDatabase("mysql");
    drop = database.drop;
    const env = { DATABASE_URL: database.url, REDIS_URL: inject("redisUrl") };
    // Started together on an empty database: the migration lock lets both come up.
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
  });

  it("delivers a change made through A to a subscriber on B, and B's changes to A, once each and in order", async () => {
    const created = await postGraphQL(a.url, CREATE_VERSION, { input: { flowName: "multi", name: "m", entrypoint: "a.py:f" } });
    const deploymentId = (created.data as any).createVersion.deployment.id;
    const onB = await subscribe(b.url, { deploymentId });
    const onA = await subscribe(a.url, { deploymentId });
    await Promise.all([registeredAt(a.url, 1), registeredAt(b.url, 1)]);
    const viaA = await postGraphQL(a.url, CREATE_VERSION, { input: { deploymentId, entrypoint: "a.py:g" } });
    const viaB = await postGraphQL(b.url, ROLLBACK, { input: { deploymentId } });
    const expected = [(viaA.data as any).createVersion.change.sequence, (viaB.data as any).rollback.change.sequence];
    expect((await onB.waitFor(2)).map((e) => e.sequence)).toEqual(expected);
    expect((await onA.waitFor(2)).map((e) => e.sequence)).toEqual(expected);
    // A later change reaches each side after every earlier one: by then any repeat would have arrived.
    const last = await postGraphQL(a.url, CREATE_VERSION, { input: { deploymentId, entrypoint: "a.py:h" } });
    const all = [...expected, (last.data as any).createVersion.change.sequence];
    expect((await onB.waitFor(3)).map((e) => e.sequence)).toEqual(all);
    expect((await onA.waitFor(3)).map((e) => e.sequence)).toEqual(all);
    await Promise.all([onA.close(), onB.close()]);
  });
});

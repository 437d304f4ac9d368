import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeploymentEntity } from "../../src/deployment/deployment.entity";
import { LiveChangeEntity } from "../../src/live/live-change.entity";
import { VersionEntity } from "../../src/version/version.entity";
import { IdempotencyKeyEntity } from "../../src/version/idempotency-key.entity";
import { MysqlWriteStore } from "../../src/db/mysql-store";
import { SqliteWriteStore } from "../../src/db/sqlite-store";
import { codes, startServer, STORES, type TestServer } from "../support/server";
import { PROMOTE, ROLLBACK, UPDATE_SETTINGS, createVersion } from "../support/operations";

// Every write to the history goes through one WriteStore (src/db/write-store.ts): the work
// returns what to append, and only the store sends that tail and commits. These tests hold the
// store to its contract on both stores.

describe.each(STORES)("the write store on %s", (store) => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer(store)));
  afterAll(() => server?.close());

  const db = () => server.app.db;
  const revision = async (id: string) => {
    const [row] = (await db().reader.query("SELECT revision FROM deployment WHERE id = ?", [Number(id.slice(4))])) as Array<{ revision: number }>;
    return Number(row!.revision);
  };

  it("is the store of the database's dialect, chosen when it opened", () => {
    expect(db().store).toBeInstanceOf(store === "mysql" ? MysqlWriteStore : SqliteWriteStore);
  });

  it("increments the deployment's revision once per write, and not for a refused or repeated one", async () => {
    const created = await createVersion(server, { flowName: "rev", name: "r", entrypoint: "f.py:v1", idempotencyKey: "rev-1" });
    const id = created.deployment.id;
    expect(await revision(id)).toBe(1);
    await createVersion(server, { deploymentId: id, entrypoint: "f.py:v2" });
    expect(await revision(id)).toBe(2);
    for (const [mutation, expected] of [
      [ROLLBACK, 3],
      [PROMOTE, 4],
    ] as const) {
      expect((await server.gql(mutation, { input: { deploymentId: id } })).errors).toBeUndefined();
      expect(await revision(id)).toBe(expected);
    }
    expect((await server.gql(UPDATE_SETTINGS, { input: { deploymentId: id, paused: true } })).errors).toBeUndefined();
    expect(await revision(id)).toBe(5);
    expect(codes(await server.gql(PROMOTE, { input: { deploymentId: id } }))).toEqual(["ALREADY_LIVE"]);
    await createVersion(server, { flowName: "rev", name: "r", entrypoint: "f.py:v1", idempotencyKey: "rev-1" });
    expect(await revision(id)).toBe(5);
  });

  it("reads back rows, through the mappers derived from the entities, exactly as TypeORM does", async () => {
    const created = await createVersion(server, {
      flowName: "rows",
      name: "r",
      entrypoint: "f.py:v1",
      tags: ["a"],
      labels: { team: "x" },
      parameters: { n: 1 },
      enforceParameterSchema: false,
      settings: { paused: true, schedules: [{ cron: "0 * * * *" }], concurrencyLimit: 3 },
      idempotencyKey: "rows-1",
    });
    const { tables } = db();
    const check = async <E extends object>(entity: new () => E, table: (typeof tables)[keyof typeof tables], where: Record<string, unknown>) => {
      const expected = await db()
        .reader.getRepository(entity)
        .findOneByOrFail(where as never);
      const [raw] = await db().reads.rows(`SELECT ${table.columns} FROM ${table.name} WHERE id = ?`, [(expected as { id: number }).id]);
      expect(table.fromRow(raw!)).toEqual(expected);
    };
    await check(DeploymentEntity, tables.deployment, { id: Number(created.deployment.id.slice(4)) });
    await check(VersionEntity, tables.version, { id: Number(created.version.id.slice(4)) });
    await check(LiveChangeEntity, tables.change, { id: Number(created.change.id.slice(4)) });
    await check(IdempotencyKeyEntity, tables.idempotency, { key: "rows-1" });
  });

  it("lists every column the entity declares, and nothing else", () => {
    for (const [table, entity] of [
      [db().tables.deployment, DeploymentEntity],
      [db().tables.version, VersionEntity],
    ] as const) {
      const declared = db()
        .dataSource.getMetadata(entity)
        .columns.map((c) => c.databaseName)
        .sort();
      expect(
        table.columns
          .split(", ")
          .map((c) => c.replace(/[`"]/g, ""))
          .sort(),
      ).toEqual(declared);
    }
    expect(db().tables.deployment.columns).toMatch(/\brevision\b/);
  });

  it("rolls back the work's own statements when its tail fails, and stays usable", async () => {
    const names = async () => ((await db().reader.query("SELECT name FROM workspace WHERE name LIKE 'tail-%'")) as Array<{ name: string }>).map((r) => r.name);
    const failed = db().store.write(async (tx) => {
      await tx.run("INSERT INTO workspace (name, last_sequence, operator, created_at) VALUES ('tail-work', 0, 0, 0)", []);
      return { result: null, append: { statements: [["INSERT INTO no_such_table VALUES (1)", []]] } };
    });
    await expect(failed).rejects.toThrow(/no_such_table/);
    expect(await names()).toEqual([]);
    const ok = await db().store.write(async (tx) => {
      await tx.run("INSERT INTO workspace (name, last_sequence, operator, created_at) VALUES ('tail-ok', 0, 0, 0)", []);
      return { result: 7 };
    });
    expect(ok).toEqual({ result: 7, change: null });
    expect(await names()).toEqual(["tail-ok"]);
  });

  it("rolls back everything when the work throws, appending nothing", async () => {
    const created = await createVersion(server, { flowName: "throws", name: "t", entrypoint: "f.py:v1" });
    const id = Number(created.deployment.id.slice(4));
    const before = await revision(created.deployment.id);
    const failed = db().store.write(async (tx) => {
      await tx.run("UPDATE deployment SET paused = 1 WHERE id = ?", [id]);
      throw new Error("changed my mind");
    });
    await expect(failed).rejects.toThrow("changed my mind");
    const [row] = (await db().reader.query("SELECT paused, revision FROM deployment WHERE id = ?", [id])) as Array<{ paused: number; revision: number }>;
    expect([Number(row!.paused), Number(row!.revision)]).toEqual([0, before]);
  });

  it("refuses to append a live change without an update of its deployment (the cache relies on it)", async () => {
    const created = await createVersion(server, { flowName: "append", name: "bare", entrypoint: "f.py:v1" });
    const id = Number(created.deployment.id.slice(4));
    const liveVersionId = Number(created.version.id.slice(4));
    const bare = db().store.write(async () => ({
      result: null,
      append: {
        change: {
          workspaceId: 1,
          deploymentId: id,
          kind: "PROMOTE" as const,
          previousVersionId: liveVersionId,
          liveVersionId,
          actor: "test",
          reason: null,
          at: new Date(),
        },
      },
    }));
    await expect(bare).rejects.toThrow(/must come with an update of its deployment/);
    const history = await server.gql(`query($id: ID!) { deployment(id: $id) { liveHistory { totalCount } } }`, { id: created.deployment.id });
    expect(history.data.deployment.liveHistory.totalCount).toBe(1);
  });

  it("appends the log entry with the next gapless sequence and hands it back", async () => {
    const created = await createVersion(server, { flowName: "append", name: "a", entrypoint: "f.py:v1" });
    const id = Number(created.deployment.id.slice(4));
    const liveVersionId = Number(created.version.id.slice(4));
    const written = await db().store.write(async (tx) => {
      const [raw] = await tx.rows(`SELECT ${tx.tables.deployment.columns} FROM deployment WHERE id = ?${tx.forUpdate}`, [id]);
      const row = tx.tables.deployment.fromRow(raw!);
      const at = new Date();
      return {
        result: row,
        append: {
          deployment: { row, set: { updatedAt: at } },
          change: {
            workspaceId: row.workspaceId,
            deploymentId: id,
            kind: "PROMOTE" as const,
            previousVersionId: liveVersionId,
            liveVersionId,
            actor: "test",
            reason: "store",
            at,
          },
        },
      };
    });
    expect(written.change).toMatchObject({ sequence: created.change.sequence + 1, reason: "store", deploymentId: id });
    // The row handed to the work is updated as the store wrote it, revision included.
    expect(written.result.revision).toBe(await revision(created.deployment.id));
  });
});

import { Writable } from "node:stream";
import { QueryFailedError } from "typeorm";
import { describe, expect, it } from "vitest";
import { createLogger, safeError } from "../../src/logger";

/** A mysql2 error as its non-prepared query() reports it: the SQL with the values inlined. */
function mysqlError(secret: string) {
  return Object.assign(new Error(`Duplicate entry '${secret}' for key 'uq_deployment_name'`), {
    code: "ER_DUP_ENTRY",
    errno: 1062,
    sqlState: "23000",
    sqlMessage: `Duplicate entry '${secret}' for key 'uq_deployment_name'`,
    sql: `INSERT INTO deployment (name) VALUES ('${secret}')`,
  });
}

describe("the logger's error serializer", () => {
  it("keeps a database error's statement, code, errno and SQL state, and none of its values", () => {
    const error = new QueryFailedError("INSERT INTO deployment (name) VALUES (?)", ["hunter2"], mysqlError("hunter2"));
    const logged = safeError(error) as Record<string, unknown>;
    expect(JSON.stringify(logged)).not.toContain("hunter2");
    expect(logged).toMatchObject({
      type: "QueryFailedError",
      message: "database error ER_DUP_ENTRY",
      statement: "INSERT INTO deployment (name) VALUES (?)",
      code: "ER_DUP_ENTRY",
      errno: 1062,
      sqlState: "23000",
      stack: expect.stringMatching(/^QueryFailedError: ER_DUP_ENTRY\n {4}at /),
    });
  });

  it("reduces a bare driver error, and one found as the cause or a field of another error", () => {
    const wrapped = new Error("could not create the version", { cause: mysqlError("s3cret") });
    const holder = Object.assign(new Error("request failed"), { inner: mysqlError("s3cret"), parameters: ["s3cret"] });
    for (const error of [mysqlError("s3cret"), wrapped, holder]) expect(JSON.stringify(safeError(error))).not.toContain("s3cret");
    expect((safeError(wrapped) as { cause: unknown }).cause).toMatchObject({ code: "ER_DUP_ENTRY", errno: 1062 });
  });

  it("is what the logger uses for err and error", () => {
    let line = "";
    const logger = createLogger("info", new Writable({ write: (chunk, _enc, done) => void ((line += String(chunk)), done()) }));
    logger.error({ err: new QueryFailedError("UPDATE x SET y = ?", ["pw-1"], mysqlError("pw-1")) }, "unexpected error");
    logger.warn({ error: mysqlError("pw-2") }, "database unavailable");
    expect(line).not.toMatch(/pw-1|pw-2/);
    expect(line).toContain('"statement":"UPDATE x SET y = ?"');
  });
});

import { describe, expect, it } from "vitest";
import { QueryFailedError } from "typeorm";
import { answeredWithError, ConflictsPersisted, isRetryable, withRetries } from "../../src/db/write-store";
import { isUnavailable } from "../../src/errors";

/** A driver error as mysql2 reports one the server sent, wrapped as the write store wraps it. */
const serverError = (errno: number, code: string, message: string) =>
  new QueryFailedError("SQL", [], Object.assign(new Error(message), { errno, code, sqlState: errno === 1213 ? "40001" : "23000", fatal: false }));
const connectionLost = () =>
  new QueryFailedError(
    "COMMIT",
    [],
    Object.assign(new Error("Connection lost: The server closed the connection."), { code: "PROTOCOL_CONNECTION_LOST", fatal: true }),
  );

describe("write retries", () => {
  it("retries deadlocks and Galera certification failures, and duplicates on the counter keys only", () => {
    expect(
      isRetryable(serverError(1213, "ER_LOCK_DEADLOCK", "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction")),
    ).toBe(true);
    expect(isRetryable(serverError(1062, "ER_DUP_ENTRY", "Duplicate entry '1-17' for key 'uq_change_sequence'"))).toBe(true);
    expect(isRetryable(serverError(1062, "ER_DUP_ENTRY", "Duplicate entry '4-3' for key 'uq_version_number'"))).toBe(true);
    expect(isRetryable(serverError(1062, "ER_DUP_ENTRY", "Duplicate entry '1-f-d' for key 'uq_deployment_name'"))).toBe(false);
    expect(isRetryable(serverError(1062, "ER_DUP_ENTRY", "Duplicate entry '1-k' for key 'uq_idempotency_key'"))).toBe(false);
    expect(isRetryable(connectionLost())).toBe(false);
  });

  it("tells a COMMIT the server refused (not committed) from one that got no answer (outcome unknown)", () => {
    expect(answeredWithError(serverError(1213, "ER_LOCK_DEADLOCK", "Deadlock found"))).toBe(true);
    expect(answeredWithError(connectionLost())).toBe(false);
    expect(
      answeredWithError(
        new QueryFailedError("COMMIT", [], Object.assign(new Error("Query inactivity timeout"), { code: "PROTOCOL_SEQUENCE_TIMEOUT", fatal: true })),
      ),
    ).toBe(false);
  });

  it("answers a write that conflicts on every attempt as unavailable (retryable), after a bounded number of attempts", async () => {
    let attempts = 0;
    const failure = await withRetries(async () => {
      attempts++;
      throw serverError(1213, "ER_LOCK_DEADLOCK", "Deadlock found");
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConflictsPersisted);
    expect(isUnavailable(failure)).toBe(true);
    expect(attempts).toBe(12);
  });

  it("runs a write again after a conflict and returns its result", async () => {
    let attempts = 0;
    const result = await withRetries(async () => {
      if (++attempts < 3) throw serverError(1062, "ER_DUP_ENTRY", "Duplicate entry '1-17' for key 'uq_change_sequence'");
      return "done";
    });
    expect([result, attempts]).toEqual(["done", 3]);
  });
});

import { describe, expect, it } from "vitest";
import { Deadline, STATEMENT_MS, isNotAnswering } from "../../src/db/deadline";
import { ReadGate, StatementBudget, withDeadline, withStatementBudget } from "../../src/db/read-gate";
import { ErrorCode, WaymarkError } from "../../src/errors";

const never = <T>() => new Promise<T>(() => undefined);

describe("Deadline", () => {
  it("starts at its first use, gives statements at most STATEMENT_MS, and refuses once it has passed", () => {
    let now = 0;
    const deadline = new Deadline(8_000, () => now);
    now = 60_000;
    expect(deadline.remaining()).toBe(8_000);
    expect(deadline.statementMs()).toBe(STATEMENT_MS);
    now += 6_000;
    expect(deadline.statementMs()).toBe(2_000);
    expect(() => deadline.check()).not.toThrow();
    now += 2_000;
    expect(deadline.statementMs()).toBe(0);
    let refusal: unknown;
    try {
      deadline.check();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(WaymarkError);
    expect(refusal).toMatchObject({ code: ErrorCode.UNAVAILABLE, details: { retryable: true } });
    expect(isNotAnswering(refusal)).toBe(true);
  });

  it("refuses at once after one of its waits found the database not answering", () => {
    const deadline = new Deadline(10_000);
    deadline.fail();
    expect(() => deadline.check()).toThrow("The database is not answering; retry shortly.");
  });

  it("bounds a wait, and hands what arrives too late to be released", async () => {
    const deadline = new Deadline(50);
    let resolveLate: (value: string) => void = () => undefined;
    const late: string[] = [];
    const wait = deadline.bound(new Promise<string>((resolve) => (resolveLate = resolve)), (value) => late.push(value));
    await expect(wait).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    resolveLate("connection");
    await Promise.resolve();
    expect(late).toEqual(["connection"]);
    await expect(new Deadline(1_000).bound(Promise.resolve(7))).resolves.toBe(7);
  });

  it("refuses a wait once it has failed without throwing, still releasing what the wait brings", async () => {
    const deadline = new Deadline(1_000);
    deadline.fail();
    const late: string[] = [];
    let refused: Promise<string> | undefined;
    expect(() => (refused = deadline.bound(Promise.resolve("connection"), (value) => late.push(value)))).not.toThrow();
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(late).toEqual(["connection"]);
    // A failing wait's rejection is heard, not left unhandled.
    await expect(deadline.bound(Promise.reject(new Error("gone")))).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
  });

  it("tells a driver's timeouts from its other failures", () => {
    expect(isNotAnswering({ driverError: { code: "PROTOCOL_SEQUENCE_TIMEOUT" } })).toBe(true);
    expect(isNotAnswering({ code: "ETIMEDOUT" })).toBe(true);
    expect(isNotAnswering({ code: "ECONNREFUSED" })).toBe(false);
    expect(isNotAnswering(new WaymarkError(ErrorCode.UNAVAILABLE, "busy", { retryable: true }))).toBe(false);
  });
});

describe("ReadGate under a deadline", () => {
  it("waits for a read's turn only until the request's deadline, without refusing the budget's other reads", async () => {
    const gate = new ReadGate(3, () => undefined);
    const held = await gate.admit(async () => ({}));
    const budget = new StatementBudget();
    const started = Date.now();
    const refused = withDeadline(() => withStatementBudget(budget, () => gate.admit(async () => ({}))), new Deadline(100));
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(budget.refused).toBeNull();
    held.done!();
  });

  it("refuses a request's next statement at once once it met a database not answering, before taking a turn", async () => {
    const gate = new ReadGate(10, () => undefined);
    const deadline = new Deadline();
    deadline.fail();
    let obtained = false;
    const admission = withDeadline(
      () =>
        gate.admit(async () => {
          obtained = true;
          return never<object>();
        }),
      deadline,
    );
    await expect(admission).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(obtained).toBe(false);
  });
});

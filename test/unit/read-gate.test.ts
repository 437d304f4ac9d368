import { describe, expect, it } from "vitest";
import { MAX_WAITING_READS, ReadGate, StatementBudget, asWriter, withStatementBudget } from "../../src/db/read-gate";
import { WaymarkError } from "../../src/errors";

/** A pool stand-in: counts connections held, and hands one out when asked. */
function fakePool() {
  const pool = {
    held: 0,
    most: 0,
    obtain: async () => {
      pool.held++;
      pool.most = Math.max(pool.most, pool.held);
      return {};
    },
  };
  return pool;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("ReadGate", () => {
  it("admits at most the pool less the writers' share, and a budget at most its own few, in turn", async () => {
    const pool = fakePool();
    const gate = new ReadGate(10, () => undefined);
    const budget = new StatementBudget(3);
    let mostOfBudget = 0;
    let ofBudget = 0;
    const read = async (own: boolean) => {
      const { done } = await (own ? withStatementBudget(budget, () => gate.admit(pool.obtain)) : gate.admit(pool.obtain));
      if (own) mostOfBudget = Math.max(mostOfBudget, ++ofBudget);
      await tick();
      if (own) ofBudget--;
      pool.held--;
      done!();
    };
    await Promise.all([...Array.from({ length: 50 }, () => read(true)), ...Array.from({ length: 50 }, () => read(false))]);
    expect(pool.most).toBe(8);
    expect(mostOfBudget).toBe(3);
    expect(pool.held).toBe(0);
  });

  it("lets writes through while reads hold every permit", async () => {
    const pool = fakePool();
    const gate = new ReadGate(3, () => undefined);
    const held = await Promise.all([gate.admit(pool.obtain)]);
    const write = await asWriter(() => gate.admit(pool.obtain));
    expect(write.done).toBeNull();
    held[0]!.done!();
  });

  it("refuses reads past the queue as retryable UNAVAILABLE, warns once for all of them, and fails the rest of a refused budget at once", async () => {
    const pool = fakePool();
    const warnings: number[] = [];
    const gate = new ReadGate(3, (refused) => warnings.push(refused));
    const first = await gate.admit(pool.obtain);
    const waiting = Array.from({ length: MAX_WAITING_READS }, () => gate.admit(pool.obtain));
    const budget = new StatementBudget();
    const refused = await Promise.allSettled(Array.from({ length: 20 }, () => withStatementBudget(budget, () => gate.admit(pool.obtain))));
    expect(refused.every((r) => r.status === "rejected")).toBe(true);
    const error = (refused[0] as PromiseRejectedResult).reason as WaymarkError;
    expect(error).toBeInstanceOf(WaymarkError);
    expect(error).toMatchObject({ code: "UNAVAILABLE", details: { retryable: true } });
    expect(warnings).toEqual([1]);
    first.done!();
    // One permit: each waiter is admitted when the one before it is done.
    for (const admitted of waiting) (await admitted).done!();
  });

  it("refuses a read that waits too long", async () => {
    const gate = new ReadGate(3, () => undefined, 20);
    const pool = fakePool();
    const first = await gate.admit(pool.obtain);
    await expect(gate.admit(pool.obtain)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    first.done!();
    const next = await gate.admit(pool.obtain);
    next.done!();
  });
});

import { describe, expect, it } from "vitest";
import { LiveStream } from "../../src/live/live-stream";

const stream = (limit = 3) => new LiveStream<number>(limit, (value) => new Error(`behind at ${value}`));
const settled = async (promise: Promise<unknown>) => {
  let state = "pending";
  promise.then(
    () => (state = "resolved"),
    () => (state = "rejected"),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  return state;
};

describe("LiveStream", () => {
  it("hands values over in order, to a waiting reader or from the queue", async () => {
    const s = stream();
    const waiting = s.next();
    s.push(1);
    s.push(2);
    s.push(3);
    expect(await waiting).toEqual({ done: false, value: 1 });
    expect(await s.next()).toEqual({ done: false, value: 2 });
    expect(await s.next()).toEqual({ done: false, value: 3 });
    expect(await settled(s.next())).toBe("pending");
  });

  it("fails a reader that falls more than the limit behind, after what it has queued", async () => {
    const s = stream(2);
    for (const n of [1, 2, 3, 4]) s.push(n);
    expect(await settled(s.ended)).toBe("resolved");
    expect(await s.next()).toEqual({ done: false, value: 1 });
    expect(await s.next()).toEqual({ done: false, value: 2 });
    await expect(s.next()).rejects.toThrow("behind at 3");
    expect(await s.next()).toEqual({ done: true, value: undefined });
  });

  it("fails a waiting reader at once", async () => {
    const s = stream();
    const waiting = s.next();
    s.fail(new Error("database down"));
    await expect(waiting).rejects.toThrow("database down");
    expect(await s.next()).toEqual({ done: true, value: undefined });
  });

  it("ends at once on return: a waiting reader is released, the queue dropped, later values ignored", async () => {
    const s = stream();
    const waiting = s.next();
    expect(await settled(s.ended)).toBe("pending");
    await s.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await settled(s.ended)).toBe("resolved");
    s.push(1);
    expect(await s.next()).toEqual({ done: true, value: undefined });

    const queued = stream();
    queued.push(1);
    await queued.return();
    expect(await queued.next()).toEqual({ done: true, value: undefined });
  });
});

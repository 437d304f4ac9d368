import { describe, expect, it } from "vitest";
import { LiveHub, type LiveLog } from "../../src/live/live-hub";
import type { LiveEvent } from "../../src/live/live-event";

const event = (sequence: number, workspaceId = 1): LiveEvent => ({
  changeId: sequence,
  workspaceId,
  sequence,
  deploymentId: 1,
  flowName: "f",
  kind: "CREATE",
  previousVersionId: null,
  liveVersionId: sequence,
  actor: "a",
  reason: null,
  at: new Date(0).toISOString(),
});

/** A log holding `committed` sequences; `lastSequence` is what the hub reads at first listen. */
function fakeLog(committed: number[], last = Math.max(0, ...committed)) {
  const reads: number[] = [];
  const log: LiveLog = {
    after: async (_ws, after, limit) => {
      reads.push(after);
      return committed
        .filter((s) => s > after)
        .sort((a, b) => a - b)
        .slice(0, limit)
        .map((s) => event(s));
    },
    lastSequence: async () => last,
  };
  return { log, reads };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("LiveHub", () => {
  it("delivers in sequence order, once, whatever order and how often changes arrive", async () => {
    const { log } = fakeLog([1, 2, 3, 4, 5], 0);
    const hub = new LiveHub(log, (e) => {
      throw e;
    });
    const got: number[] = [];
    expect(await hub.listen(1, { deliver: (e) => got.push(e.sequence) })).toBe(0);
    for (const s of [1, 1, 3, 2, 3, 5, 4, 2]) hub.receive(event(s));
    await flush();
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  it("reads a gap from the log instead of waiting for a change that was lost", async () => {
    const { log, reads } = fakeLog([1, 2, 3, 4], 1);
    const hub = new LiveHub(log, (e) => {
      throw e;
    });
    const got: number[] = [];
    await hub.listen(1, { deliver: (e) => got.push(e.sequence) });
    hub.receive(event(4));
    await flush();
    await flush();
    expect(got).toEqual([2, 3, 4]);
    expect(reads).toEqual([1]);
  });

  it("starts a listener after what was committed when it joined, and holds changes that arrive while loading", async () => {
    const { log } = fakeLog([1, 2, 3], 3);
    const hub = new LiveHub(log, (e) => {
      throw e;
    });
    const got: number[] = [];
    const start = hub.listen(1, { deliver: (e) => got.push(e.sequence) });
    hub.receive(event(3)); // already counted in lastSequence: must not be delivered
    hub.receive(event(4));
    expect(await start).toBe(3);
    await flush();
    expect(got).toEqual([4]);
  });

  it("ignores workspaces nobody listens to and forgets a workspace when its last listener leaves", async () => {
    const { log, reads } = fakeLog([], 0);
    const hub = new LiveHub(log, (e) => {
      throw e;
    });
    hub.receive(event(7, 2));
    const listener = { deliver: () => undefined };
    await hub.listen(1, listener);
    expect(hub.listenerCount).toBe(1);
    hub.unlisten(1, listener);
    expect(hub.listenerCount).toBe(0);
    hub.receive(event(9, 1));
    await flush();
    expect(reads).toEqual([]);
  });
});

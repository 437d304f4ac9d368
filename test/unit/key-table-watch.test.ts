import { afterEach, describe, expect, it } from "vitest";
import { KeyCache } from "../../src/auth/key-cache";
import { KeyTableWatch, type KeyTableState } from "../../src/auth/key-table-watch";
import type { Principal } from "../../src/auth/principal";
import { KeyScope } from "../../src/auth/scopes";
import { createLogger } from "../../src/logger";

const principal: Principal = { workspaceId: 1, actor: "ci", scopes: new Set([KeyScope.READ]), keyId: 7, operator: false };
const lookup = async (hash: string) => (hash === "good" ? principal : null);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("KeyTableWatch", () => {
  let watch: KeyTableWatch | null = null;
  afterEach(() => watch?.stop());

  async function setup(states: Array<KeyTableState | Error>) {
    const cache = new KeyCache(1_500, () => 0);
    let next = 0;
    const read = async () => {
      const state = states[Math.min(next++, states.length - 1)]!;
      if (state instanceof Error) throw state;
      return state;
    };
    // A long interval: the test runs each check itself through the first one and `check()`.
    watch = new KeyTableWatch(read, cache, createLogger("silent"), 60_000, () => 0);
    await tick();
    const check = async () => {
      await (watch as unknown as { check(): Promise<void> }).check();
    };
    return { cache, check };
  }

  it("trusts the cache after its first check, and keeps what it holds while nothing changes", async () => {
    const { cache, check } = await setup([{ revoked: 1, newest: 5 }]);
    await cache.resolve("good", lookup);
    await cache.resolve("bad", lookup);
    await check();
    expect(cache.size).toEqual({ valid: 1, unknown: 1 });
  });

  it("drops valid keys when the number of revoked keys changes, and unknown ones when a key is created", async () => {
    const { cache, check } = await setup([
      { revoked: 1, newest: 5 },
      { revoked: 2, newest: 5 },
      { revoked: 2, newest: 6 },
    ]);
    await cache.resolve("good", lookup);
    await cache.resolve("bad", lookup);
    await check();
    expect(cache.size).toEqual({ valid: 0, unknown: 1 });
    await cache.resolve("good", lookup);
    await check();
    expect(cache.size).toEqual({ valid: 1, unknown: 0 });
  });

  it("does not confirm the cache when a check fails", async () => {
    const cache = new KeyCache(1_500, () => 10_000);
    watch = new KeyTableWatch(
      () => Promise.reject(new Error("database down")),
      cache,
      createLogger("silent"),
      60_000,
      () => 10_000,
    );
    await tick();
    let asked = 0;
    await cache.resolve("good", async () => (asked++, principal));
    await cache.resolve("good", async () => (asked++, principal));
    expect(asked).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { KeyCache } from "../../src/auth/key-cache";
import type { Principal } from "../../src/auth/principal";
import { KeyScope } from "../../src/auth/scopes";

const principal: Principal = { workspaceId: 1, actor: "ci", scopes: new Set([KeyScope.READ]), keyId: 7, operator: false };

function setup(maxStaleMs = 1_500) {
  let now = 0;
  const cache = new KeyCache(maxStaleMs, () => now);
  let lookups = 0;
  const lookup = async (hash: string) => {
    lookups++;
    return hash === "good" ? principal : null;
  };
  return { cache, lookup, lookups: () => lookups, advance: (ms: number) => void (now += ms), now: () => now };
}

describe("KeyCache", () => {
  it("answers valid and unknown keys from memory once the key table has been checked", async () => {
    const { cache, lookup, lookups } = setup();
    cache.confirm(0);
    for (let i = 0; i < 3; i++) {
      expect(await cache.resolve("good", lookup)).toBe(principal);
      expect(await cache.resolve("bad", lookup)).toBeNull();
    }
    expect(lookups()).toBe(2);
  });

  it("trusts nothing before the first check, nor once the last check is older than maxStaleMs", async () => {
    const { cache, lookup, lookups, advance } = setup();
    await cache.resolve("good", lookup);
    await cache.resolve("good", lookup);
    expect(lookups()).toBe(2);
    cache.confirm(0);
    await cache.resolve("good", lookup);
    await cache.resolve("good", lookup);
    expect(lookups()).toBe(3);
    advance(1_501);
    await cache.resolve("good", lookup);
    expect(lookups()).toBe(4);
  });

  it("forgets valid keys on a revocation, and does not keep a lookup that was in flight then", async () => {
    const { cache, lookups } = setup();
    cache.confirm(0);
    let release!: () => void;
    const slow = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return principal;
    };
    const inFlight = cache.resolve("good", slow);
    cache.dropValid();
    release();
    expect(await inFlight).toBe(principal);
    let asked = 0;
    expect(await cache.resolve("good", async () => (asked++, null))).toBeNull();
    expect(asked).toBe(1);
    expect(lookups()).toBe(0);
  });

  it("keeps a valid key looked up while a creation was seen, but not an unknown one", async () => {
    const { cache } = setup();
    cache.confirm(0);
    const straddling = async (answer: Principal | null) => {
      let release!: () => void;
      const inFlight = cache.resolve(answer ? "good" : "bad", async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return answer;
      });
      cache.dropUnknown();
      release();
      await inFlight;
    };
    await straddling(principal);
    await straddling(null);
    let asked = 0;
    const counting = async (hash: string) => (asked++, hash === "good" ? principal : null);
    expect(await cache.resolve("good", counting)).toBe(principal);
    expect(asked).toBe(0);
    expect(await cache.resolve("bad", counting)).toBeNull();
    expect(asked).toBe(1);
  });

  it("keeps at most 10,000 unknown key hashes", async () => {
    const { cache, lookup } = setup();
    cache.confirm(0);
    for (let i = 0; i < 12_000; i++) await cache.resolve(`bad-${i}`, lookup);
    expect(cache.size.unknown).toBe(10_000);
  });
});

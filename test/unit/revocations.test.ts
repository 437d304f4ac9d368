import { describe, expect, it } from "vitest";
import { KeyRevocations, type Closable } from "../../src/auth/revocations";
import { createLogger } from "../../src/logger";

const connection = () => {
  const closed: Array<[number, string]> = [];
  return { closed, close: (code: number, reason: string) => void closed.push([code, reason]) } satisfies Closable & { closed: unknown };
};

describe("KeyRevocations", () => {
  it("closes a tracked connection when its key is revoked", () => {
    const revocations = new KeyRevocations(null, async () => [], createLogger("silent"));
    const open = connection();
    revocations.track(7, open);
    revocations.revoked(7);
    expect(open.closed).toEqual([[4403, "Forbidden: API key revoked"]]);
    revocations.stop();
  });

  it("refuses a connection that registers after its key's revocation went by (authenticated just before it)", () => {
    const revocations = new KeyRevocations(null, async () => [], createLogger("silent"));
    revocations.revoked(7);
    expect(revocations.track(7, connection())).toBeNull();
    const other = connection();
    expect(revocations.track(8, other)).toBeTypeOf("function");
    expect(other.closed).toEqual([]);
    revocations.stop();
  });
});

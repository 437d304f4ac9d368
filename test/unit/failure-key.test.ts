import { describe, expect, it } from "vitest";
import { failureKeyOf } from "../../src/auth/failed-auth-limiter";

describe("failureKeyOf", () => {
  it("counts IPv4 by address and IPv6 by its /64, whatever way the address is written", () => {
    expect(failureKeyOf("203.0.113.7")).toBe("203.0.113.7");
    expect(failureKeyOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(failureKeyOf("::ffff:cb00:7107")).toBe("203.0.113.7");
    const network = "2001:db8:7:1::/64";
    for (const address of [
      "2001:db8:7:1::1",
      "2001:0db8:0007:0001:ffff:ffff:ffff:ffff",
      "2001:DB8:7:1:a:b:c:d",
      "fe80::1%eth0".replace("fe80::", "2001:db8:7:1::"),
    ])
      expect(failureKeyOf(address)).toBe(network);
    expect(failureKeyOf("2001:db8:7:2::1")).not.toBe(network);
    expect(failureKeyOf("::1")).toBe("::/64");
  });

  it("keeps what is not an address as it is", () => {
    expect(failureKeyOf("unknown")).toBe("unknown");
    expect(failureKeyOf("")).toBe("");
  });
});

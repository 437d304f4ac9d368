import { describe, expect, it } from "vitest";
import { decodeId, encodeId } from "../../src/ids";

describe("encodeId / decodeId", () => {
  it("prefixes each kind and decodes back to the same key", () => {
    expect(encodeId("deployment", 42)).toBe("dep_42");
    expect(encodeId("version", 7)).toBe("ver_7");
    expect(encodeId("change", 1)).toBe("chg_1");
    for (const kind of ["deployment", "version", "change"] as const) {
      for (const key of [1, 9, 10, 123456, 999_999_999_999_999]) expect(decodeId(kind, encodeId(kind, key))).toBe(key);
    }
  });

  it("refuses an id of another kind", () => {
    expect(decodeId("deployment", "ver_1")).toBeNull();
    expect(decodeId("version", "dep_1")).toBeNull();
    expect(decodeId("change", "ver_1")).toBeNull();
    expect(decodeId("deployment", "DEP_1")).toBeNull();
    expect(decodeId("deployment", "1")).toBeNull();
  });

  it.each([
    "",
    "dep_",
    "dep_abc",
    "dep_0",
    "dep_00",
    "dep_01",
    "dep_007",
    "dep_-1",
    "dep_+1",
    "dep_1.0",
    "dep_1e3",
    "dep_ 1",
    "dep_1 ",
    " dep_1",
    "dep_1\n",
    "dep_0x1f",
    "dep_١",
  ])("refuses the malformed id %j", (id) => {
    expect(decodeId("deployment", id)).toBeNull();
  });

  it("refuses numbers too large to be exact, and accepts up to 15 digits", () => {
    expect(decodeId("deployment", "dep_999999999999999")).toBe(999_999_999_999_999);
    expect(decodeId("deployment", "dep_1000000000000000")).toBeNull();
    expect(decodeId("deployment", "dep_9007199254740993")).toBeNull();
    expect(decodeId("deployment", `dep_${"9".repeat(400)}`)).toBeNull();
  });
});

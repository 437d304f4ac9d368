import { describe, expect, it } from "vitest";
import { isJsonObject, jsonDepth } from "../../src/json-object";

const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });

describe("isJsonObject", () => {
  it("accepts objects only: not null, lists or scalars", () => {
    expect([{}, Object.create(null), { a: 1 }].map(isJsonObject)).toEqual([true, true, true]);
    expect([null, [], "x", 1, undefined].map(isJsonObject)).toEqual([false, false, false, false, false]);
  });
});

describe("jsonDepth", () => {
  it("counts objects and lists, scalars count nothing", () => {
    expect(jsonDepth(1, 5)).toBe(0);
    expect(jsonDepth({}, 5)).toBe(1);
    expect(jsonDepth([[1], { a: { b: 2 } }], 5)).toBe(3);
  });

  it("tells exactly when a limit is exceeded, and stops walking one level past it", () => {
    expect(jsonDepth(nested(20), 20)).toBe(20);
    expect(jsonDepth(nested(21), 20)).toBe(21);
    expect(jsonDepth(nested(5_000), 20)).toBe(21);
  });
});

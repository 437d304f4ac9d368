import { describe, expect, it } from "vitest";
import { inexactJsonInteger, isInexactIntegerLiteral } from "../../src/limits/exact-integers";

describe("inexactJsonInteger", () => {
  it("finds an integer a double cannot hold exactly, outside strings, at any depth", () => {
    expect(inexactJsonInteger(`{"a":[1,{"b":9007199254740993}]}`)).toBe("9007199254740993");
    expect(inexactJsonInteger(`[-12345678901234567891]`)).toBe("-12345678901234567891");
    expect(inexactJsonInteger(`{"s":"x\\"","n":100000000000000000001}`)).toBe("100000000000000000001");
    expect(inexactJsonInteger(`[${"9".repeat(400)}]`)).toBe("9".repeat(400));
    // A string ending in an escaped backslash ends at its quote; the number after it is read.
    expect(inexactJsonInteger(`["a\\\\",9007199254740993]`)).toBe("9007199254740993");
    expect(inexactJsonInteger(`{"k":"\\"","n":[0.5,-9007199254740995]}`)).toBe("-9007199254740995");
  });

  it("reads a number to its end: a fraction or exponent after long digits makes it a double", () => {
    for (const text of [`[12345678901234567890.5]`, `[12345678901234567890e-3]`, `[-12345678901234567890E+2]`, `{"a":"9007199254740993`]) {
      expect(inexactJsonInteger(text), text).toBeNull();
    }
  });

  it("passes exact integers, digits inside strings and keys, and numbers written with a fraction or exponent", () => {
    for (const text of [
      `{"max":9007199254740991,"pow":9007199254740992,"big":100000000000000000000}`,
      `{"s":"12345678901234567890123","12345678901234567890123":1}`,
      `{"s":"\\\\","t":"a\\"12345678901234567890123"}`,
      `[1e20,1.2345678901234567890,12345678901234567890e0,-0]`,
      // What JSON.stringify writes for a large double: not its exact value, but read back as the same text.
      `{"id":18446744073709552000,"neg":-18446744073709552000,"mine":${JSON.stringify(2 ** 64 + 2 ** 12)}}`,
    ]) {
      expect(inexactJsonInteger(text), text).toBeNull();
    }
  });

  it("judges GraphQL integer literals alike", () => {
    expect(isInexactIntegerLiteral("9007199254740993")).toBe(true);
    expect(isInexactIntegerLiteral("-9007199254740992")).toBe(false);
    expect(isInexactIntegerLiteral("12")).toBe(false);
    expect(isInexactIntegerLiteral("18446744073709552000")).toBe(false);
    expect(isInexactIntegerLiteral("18446744073709551617")).toBe(true);
  });
});

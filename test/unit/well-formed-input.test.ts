import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { illFormedValue } from "../../src/json-limits";
import { illFormedInputError } from "../../src/limits/well-formed-input";

describe("illFormedValue", () => {
  it.each([
    [{ a: { b: [1, Infinity] } }, "v.a.b[1] is a number too large to represent (Infinity)"],
    [{ a: -Infinity }, "v.a is a number too large to represent (-Infinity)"],
    [{ a: NaN }, "v.a is a number too large to represent (NaN)"],
    [{ name: "x\ud800" }, "v.name contains an unpaired UTF-16 surrogate; send well-formed Unicode text"],
    [{ name: "\udc00x" }, "v.name contains an unpaired UTF-16 surrogate; send well-formed Unicode text"],
    [{ labels: { "k\ud83d": "x" } }, "v.labels has a key with an unpaired UTF-16 surrogate; send well-formed Unicode text"],
    [["ok", ["\udfff"]], "v[1][0] contains an unpaired UTF-16 surrogate; send well-formed Unicode text"],
  ])("finds %j", (value, problem) => {
    expect(illFormedValue(value, "v")).toBe(problem);
  });

  it("accepts finite numbers, surrogate pairs and every other value", () => {
    expect(illFormedValue({ n: 1e308, m: -0, e: "😀 \ud83d\ude00", k: { "😀": [null, true, ""] } }, "v")).toBeNull();
  });

  it("walks nesting far deeper than the stack allows", () => {
    let deep: unknown = "\ud800";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(illFormedValue(deep, "v")).toMatch(/contains an unpaired UTF-16 surrogate/);
  });
});

describe("illFormedInputError", () => {
  it("refuses non-finite number literals, inside JSON literals too", () => {
    for (const query of ["{ a(x: 1e400) }", "{ a(x: { y: [-1e999] }) }", `{ a(x: { y: ${"9".repeat(400)} }) }`]) {
      expect(illFormedInputError(parse(query), undefined)?.extensions.code, query).toBe("BAD_USER_INPUT");
    }
    expect(illFormedInputError(parse("{ a(x: 1.5e300, y: 12) }"), { v: 1 })).toBeNull();
  });

  it("refuses ill-formed variables before looking at the document", () => {
    expect(illFormedInputError(parse("{ a }"), { input: { name: "\ud800" } })?.message).toBe(
      "Invalid variables: input.name contains an unpaired UTF-16 surrogate; send well-formed Unicode text",
    );
  });
});

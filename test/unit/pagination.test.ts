import { describe, expect, it } from "vitest";
import { ErrorCode, WaymarkError } from "../../src/errors";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, pageOf } from "../../src/pagination";

const isNumberKey = (key: unknown[]): key is [number] => key.length === 1 && Number.isSafeInteger(key[0]) && (key[0] as number) >= 0;
const isNameKey = (key: unknown[]): key is [string, string] => key.length === 2 && key.every((k) => typeof k === "string");

/** The BAD_USER_INPUT error `run` throws, or a failure when it throws nothing or something else. */
function badInput(run: () => unknown): WaymarkError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WaymarkError);
    expect((error as WaymarkError).code).toBe(ErrorCode.BAD_USER_INPUT);
    return error as WaymarkError;
  }
  throw new Error("expected BAD_USER_INPUT, nothing was thrown");
}

const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("encodeCursor / decodeCursor", () => {
  it("round-trips numeric and string keys, unicode included", () => {
    expect(decodeCursor("version", encodeCursor("version", [42]), isNumberKey)).toEqual([42]);
    expect(decodeCursor("version", encodeCursor("version", [0]), isNumberKey)).toEqual([0]);
    const names = ["données-😀", `x'; DROP TABLE deployment; --`] as const;
    expect(decodeCursor("deployment", encodeCursor("deployment", names), isNameKey)).toEqual(names);
  });

  it("produces opaque URL-safe strings", () => {
    expect(encodeCursor("deployment", ["??>>", "ÿÿ"])).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeCursor("version", [1])).toBe(raw(["version", 1]));
  });

  it("refuses a cursor of another kind", () => {
    const error = badInput(() => decodeCursor("version", encodeCursor("change", [3]), isNumberKey));
    expect(error.message).toContain("not a valid cursor");
    badInput(() => decodeCursor("change", encodeCursor("version", [3]), isNumberKey));
    badInput(() => decodeCursor("version", encodeCursor("deployment", ["a", "b"]), isNumberKey));
  });

  it.each([
    ["empty", ""],
    ["not base64url", "!!!"],
    ["padding and plus", "eyJ+In0="],
    ["text that is not JSON", Buffer.from("hello").toString("base64url")],
    ["a JSON object", raw({ kind: "version" })],
    ["a JSON number", raw(5)],
    ["an empty list", raw([])],
    ["a key of the wrong type", raw(["version", "5"])],
    ["a negative key", raw(["version", -5])],
    ["a fractional key", raw(["version", 2.5])],
    ["an unsafe integer", raw(["version", 2 ** 60])],
    ["too many keys", raw(["version", 1, 2])],
    ["no key", raw(["version"])],
    ["longer than 400 characters", "A".repeat(401)],
  ])("refuses garbage: %s", (_what, cursor) => {
    badInput(() => decodeCursor("version", cursor, isNumberKey));
  });

  it("quotes at most 100 characters of a bad cursor in its message", () => {
    const error = badInput(() => decodeCursor("version", "z".repeat(300), isNumberKey));
    expect(error.message).toContain(`"${"z".repeat(100)}"`);
    expect(error.message).not.toContain("z".repeat(101));
  });
});

describe("pageOf", () => {
  const cursor = encodeCursor("version", [7]);

  it("defaults to the first 20 from the start", () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(MAX_PAGE_SIZE).toBe(100);
    expect(pageOf({}, "version", isNumberKey)).toEqual({ direction: "forward", size: 20, key: null });
    expect(pageOf({ first: null, last: null, after: null, before: null }, "version", isNumberKey)).toEqual({ direction: "forward", size: 20, key: null });
  });

  it("pages forward with first and after", () => {
    expect(pageOf({ first: 0 }, "version", isNumberKey)).toEqual({ direction: "forward", size: 0, key: null });
    expect(pageOf({ first: 100, after: cursor }, "version", isNumberKey)).toEqual({ direction: "forward", size: 100, key: [7] });
    expect(pageOf({ after: cursor }, "version", isNumberKey)).toEqual({ direction: "forward", size: 20, key: [7] });
  });

  it("pages backward with last, before, or both", () => {
    expect(pageOf({ last: 5 }, "version", isNumberKey)).toEqual({ direction: "backward", size: 5, key: null });
    expect(pageOf({ last: 0, before: cursor }, "version", isNumberKey)).toEqual({ direction: "backward", size: 0, key: [7] });
    expect(pageOf({ before: cursor }, "version", isNumberKey)).toEqual({ direction: "backward", size: 20, key: [7] });
  });

  it.each([
    [{ first: 101 }, "first"],
    [{ first: -1 }, "first"],
    [{ first: 1.5 }, "first"],
    [{ last: 101 }, "last"],
    [{ last: -1 }, "last"],
    [{ last: 2 ** 31 }, "last"],
  ])("refuses the size %j naming the argument", (args, name) => {
    expect(badInput(() => pageOf(args, "version", isNumberKey)).message).toBe(`${name} must be between 0 and 100, got ${Object.values(args)[0]}`);
  });

  it.each([
    [{ first: 1, last: 1 }],
    [{ first: 0, last: 0 }],
    [{ after: cursor, before: cursor }],
    [{ last: 1, after: cursor }],
    [{ first: 1, before: cursor }],
  ])("refuses the combination %j", (args) => {
    badInput(() => pageOf(args, "version", isNumberKey));
  });

  it("decodes the cursor against the list's own kind", () => {
    badInput(() => pageOf({ after: encodeCursor("change", [7]) }, "version", isNumberKey));
    badInput(() => pageOf({ before: "garbage!" }, "version", isNumberKey));
    expect(pageOf({ after: encodeCursor("deployment", ["a", "b"]) }, "deployment", isNameKey).key).toEqual(["a", "b"]);
  });
});

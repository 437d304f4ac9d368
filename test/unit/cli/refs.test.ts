import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/cli/errors";
import { parseDeploymentRef, parseTarget, pickNamedVersion } from "../../../src/cli/refs";

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

describe("parseTarget (--to)", () => {
  it.each([
    ["1", { number: 1 }],
    ["42", { number: 42 }],
    [" 7 ", { number: 7 }],
    ["2147483647", { number: 2147483647 }],
  ])("digits %j name a version number", (text, expected) => {
    expect(parseTarget(text)).toEqual(expected);
  });

  it.each(["0.0.1", "v3", "4c3e2f1a", "-1", "1e3", "release 12"])("%j is a version name, kept as written", (text) => {
    expect(parseTarget(text)).toEqual({ versionName: text });
  });

  it.each(["0", "2147483648", "99999999999999999999", "", "   "])("refuses %j", (text) => {
    expect(() => parseTarget(text)).toThrow(UsageError);
  });
});

describe("pickNamedVersion", () => {
  const a = { id: "ver_a", number: 1 };
  const b = { id: "ver_b", number: 2 };

  it("picks the only match", () => {
    expect(pickNamedVersion("0.0.1", [a], 1)).toBe(a);
  });

  it("lists every candidate, by number and id, when the name is ambiguous", () => {
    const error = usageError(() => pickNamedVersion("0.0.1", [b, a], 2));
    expect(error.message).toContain('"0.0.1" names 2 versions');
    expect(error.problems).toEqual(["version 2 (ver_b)", "version 1 (ver_a)"]);
  });

  it("says how many more there are beyond the listed page", () => {
    expect(usageError(() => pickNamedVersion("x", [b, a], 140)).problems.at(-1)).toBe("… and 138 more");
  });

  it("says when nothing has that name", () => {
    expect(usageError(() => pickNamedVersion("nope", [], 0)).message).toContain("no version has that name");
  });
});

describe("parseDeploymentRef", () => {
  it("splits FLOW/NAME at the last slash", () => {
    expect(parseDeploymentRef("my-flow/my-deployment")).toEqual({ flowName: "my-flow", name: "my-deployment" });
    expect(parseDeploymentRef("team/etl/prod")).toEqual({ flowName: "team/etl", name: "prod" });
  });

  it.each(["my-deployment", "/prod", "etl/", "etl/ ", ""])("refuses %j", (text) => {
    expect(() => parseDeploymentRef(text)).toThrow(UsageError);
  });
});

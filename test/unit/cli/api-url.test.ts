import { describe, expect, it } from "vitest";
import { apiKeyFrom, apiUrlFrom, normalizeApiUrl } from "../../../src/cli/api-url";
import { UsageError } from "../../../src/cli/errors";

describe("normalizeApiUrl", () => {
  it.each([
    ["http://127.0.0.1:4000/graphql", "http://127.0.0.1:4000/graphql"],
    ["http://127.0.0.1:4000", "http://127.0.0.1:4000/graphql"],
    ["http://127.0.0.1:4000/", "http://127.0.0.1:4000/graphql"],
    ["https://waymark.example.com/graphql/", "https://waymark.example.com/graphql"],
    ["https://example.com/waymark", "https://example.com/waymark/graphql"],
    ["  https://example.com/waymark//  ", "https://example.com/waymark/graphql"],
  ])("%s → %s", (raw, expected) => {
    expect(normalizeApiUrl(raw)).toBe(expected);
  });

  it.each(["localhost:4000", "ftp://example.com/graphql", "not a url", "https://user:pw@example.com/graphql"])("refuses %s", (raw) => {
    expect(() => normalizeApiUrl(raw)).toThrow(UsageError);
  });

  it("never repeats credentials in its message", () => {
    expect(() => normalizeApiUrl("https://user:hunter2@example.com")).toThrow(/^(?!.*hunter2)/s);
  });
});

describe("apiUrlFrom and apiKeyFrom", () => {
  it("prefers the flag, then the environment, then the default", () => {
    expect(apiUrlFrom("http://flag:1", { WAYMARK_API_URL: "http://env:2" })).toBe("http://flag:1/graphql");
    expect(apiUrlFrom(undefined, { WAYMARK_API_URL: "http://env:2" })).toBe("http://env:2/graphql");
    expect(apiUrlFrom(undefined, { WAYMARK_API_URL: "  " })).toBe("http://127.0.0.1:4000/graphql");
  });

  it("reads the key from the flag or WAYMARK_API_KEY, and null when neither is set", () => {
    expect(apiKeyFrom("wm_flag", { WAYMARK_API_KEY: "wm_env" })).toBe("wm_flag");
    expect(apiKeyFrom(undefined, { WAYMARK_API_KEY: "wm_env" })).toBe("wm_env");
    expect(apiKeyFrom(undefined, { WAYMARK_API_KEY: "" })).toBeNull();
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentHashOf, defaultVersionName, sha256OfJson, snapshotOf, type VersionSnapshot } from "../../src/version/snapshot";

const DEFAULTS: VersionSnapshot = {
  entrypoint: "flows/etl.py:main",
  description: null,
  tags: [],
  labels: {},
  parameters: {},
  parameterOpenapiSchema: null,
  enforceParameterSchema: true,
  workPoolName: null,
  workQueueName: null,
  jobVariables: {},
  pullSteps: [],
};

const FULL: VersionSnapshot = {
  entrypoint: "flows/etl.py:main",
  description: "nightly load",
  tags: ["etl", "nightly"],
  labels: { team: "data" },
  parameters: { date: "today", retries: 3 },
  parameterOpenapiSchema: { type: "object", properties: { date: { type: "string" } } },
  enforceParameterSchema: false,
  workPoolName: "k8s",
  workQueueName: "default",
  jobVariables: { image: `reg/etl@sha256:${"a".repeat(64)}` },
  pullSteps: [{ git_clone: { repository: "https://github.com/org/repo.git", commit_sha: "0".repeat(40) } }],
};

/** Rebuilds an object with its keys in reverse order, all the way down. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    );
  return value;
}

describe("snapshotOf", () => {
  it("gives every versioned property its default", () => {
    expect(snapshotOf({ entrypoint: "flows/etl.py:main" })).toEqual(DEFAULTS);
    expect(
      snapshotOf({
        entrypoint: "flows/etl.py:main",
        description: null,
        tags: null,
        labels: null,
        parameters: null,
        parameterOpenapiSchema: null,
        enforceParameterSchema: null,
        workPoolName: null,
        workQueueName: null,
        jobVariables: null,
        pullSteps: null,
      }),
    ).toEqual(DEFAULTS);
  });

  it("keeps every given property, false and empty values included", () => {
    expect(snapshotOf(FULL)).toEqual(FULL);
    expect(snapshotOf({ entrypoint: "e", enforceParameterSchema: false, description: "" })).toMatchObject({ enforceParameterSchema: false, description: "" });
  });

  it("takes nothing but the versioned properties", () => {
    const input = { ...FULL, version: "1.2.3", sourceInfo: { commitSha: "abc123" }, flowName: "etl", name: "prod", settings: { paused: true } };
    expect(Object.keys(snapshotOf(input)).sort()).toEqual(Object.keys(DEFAULTS).sort());
  });
});

describe("contentHashOf", () => {
  it("is the sha256 hex of the JSON with keys sorted", () => {
    const sorted = `{"description":null,"enforceParameterSchema":true,"entrypoint":"flows/etl.py:main","jobVariables":{},"labels":{},"parameterOpenapiSchema":null,"parameters":{},"pullSteps":[],"tags":[],"workPoolName":null,"workQueueName":null}`;
    expect(contentHashOf(DEFAULTS)).toBe(createHash("sha256").update(sorted).digest("hex"));
    expect(contentHashOf(DEFAULTS)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not depend on key order, at any depth", () => {
    expect(contentHashOf(reversed(FULL) as VersionSnapshot)).toBe(contentHashOf(FULL));
    expect(sha256OfJson({ b: { y: 1, x: [{ q: 1, p: 2 }] }, a: 1 })).toBe(sha256OfJson({ a: 1, b: { x: [{ p: 2, q: 1 }], y: 1 } }));
  });

  it("does not depend on the version name or source info", () => {
    const withBookkeeping = snapshotOf({ ...FULL, version: "other", sourceInfo: { commitSha: "f".repeat(40), branch: "dev" } } as VersionSnapshot);
    expect(contentHashOf(withBookkeeping)).toBe(contentHashOf(FULL));
  });

  it("equals for an omitted property and its explicit default", () => {
    expect(contentHashOf(snapshotOf({ entrypoint: "flows/etl.py:main", tags: [], enforceParameterSchema: true }))).toBe(contentHashOf(DEFAULTS));
  });

  it.each<[string, Partial<VersionSnapshot>]>([
    ["entrypoint", { entrypoint: "flows/etl.py:other" }],
    ["description", { description: "nightly load." }],
    ["description null vs empty", { description: "" }],
    ["tags", { tags: ["etl"] }],
    ["tag order", { tags: ["nightly", "etl"] }],
    ["labels", { labels: { team: "Data" } }],
    ["parameters", { parameters: { date: "today", retries: "3" } }],
    ["parameterOpenapiSchema", { parameterOpenapiSchema: null }],
    ["enforceParameterSchema", { enforceParameterSchema: true }],
    ["workPoolName", { workPoolName: "k8s-2" }],
    ["workQueueName", { workQueueName: null }],
    ["jobVariables", { jobVariables: { image: `reg/etl@sha256:${"b".repeat(64)}` } }],
    ["pullSteps", { pullSteps: [] }],
  ])("changes when %s changes", (_what, change) => {
    expect(contentHashOf({ ...FULL, ...change })).not.toBe(contentHashOf(FULL));
  });

  it("tells numbers from strings and lists from objects", () => {
    expect(sha256OfJson({ a: 1 })).not.toBe(sha256OfJson({ a: "1" }));
    expect(sha256OfJson({ a: [] })).not.toBe(sha256OfJson({ a: {} }));
    expect(sha256OfJson({ a: 1.0 })).toBe(sha256OfJson({ a: 1 }));
  });
});

describe("defaultVersionName", () => {
  it("uses the first 8 characters of the commit SHA when there is one", () => {
    expect(defaultVersionName(3, "0123456789abcdef0123456789abcdef01234567")).toBe("01234567");
    expect(defaultVersionName(3, "abcd")).toBe("abcd");
  });

  it("falls back to v<number>", () => {
    expect(defaultVersionName(1, null)).toBe("v1");
    expect(defaultVersionName(42, undefined)).toBe("v42");
    expect(defaultVersionName(7, "")).toBe("v7");
  });
});

import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import { applyCors, DEFAULT_ALLOWED_HEADERS } from "../../src/http/cors";
import { hostRefusal, upgradeRefusal, type OriginPolicy } from "../../src/http/origin";
import { statusFor } from "../../src/http/response-status";

const req = (method: string, headers: Record<string, string>) => ({ method, headers }) as unknown as IncomingMessage;

/** A response that only records its headers. */
function recorder(): ServerResponse & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return {
    headers,
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)),
    getHeader: (name: string) => headers[name.toLowerCase()],
  } as never;
}

describe("CORS", () => {
  const origins = ["https://app.example.com"];

  it("grants a listed origin's preflight the headers it asks for, for two hours", () => {
    const res = recorder();
    applyCors(
      req("OPTIONS", {
        origin: "https://app.example.com",
        "access-control-request-headers": "Content-Type, Authorization, apollographql-client-name, traceparent",
      }),
      res,
      origins,
    );
    expect(res.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-headers": "content-type, authorization, apollographql-client-name, traceparent",
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-max-age": "7200",
      vary: "origin, access-control-request-headers",
    });
  });

  it("falls back to the default list when the asked headers are not a plain list of names", () => {
    const res = recorder();
    applyCors(req("OPTIONS", { origin: "https://app.example.com", "access-control-request-headers": "bad header\u0001" }), res, origins);
    expect(res.headers["access-control-allow-headers"]!.split(", ")).toEqual(DEFAULT_ALLOWED_HEADERS);
    expect(DEFAULT_ALLOWED_HEADERS).toEqual(
      expect.arrayContaining([
        "apollographql-client-name",
        "apollographql-client-version",
        "traceparent",
        "tracestate",
        "x-request-id",
        "baggage",
        "sentry-trace",
      ]),
    );
  });

  it("exposes x-request-id on answers, and gives an unlisted origin nothing but Vary", () => {
    const listed = recorder();
    applyCors(req("POST", { origin: "https://app.example.com" }), listed, origins);
    expect(listed.headers).toEqual({
      vary: "origin",
      "access-control-allow-origin": "https://app.example.com",
      "access-control-expose-headers": "x-request-id",
    });
    const other = recorder();
    applyCors(req("OPTIONS", { origin: "https://evil.example" }), other, origins);
    expect(other.headers).toEqual({ vary: "origin" });
    const none = recorder();
    applyCors(req("POST", { origin: "https://app.example.com" }), none, []);
    expect(none.headers).toEqual({});
  });
});

describe("Origin and Host checks", () => {
  const on: OriginPolicy = { corsOrigins: ["https://app.example.com"], authOff: false, allowedHosts: [] };
  const off: OriginPolicy = { corsOrigins: [], authOff: true, allowedHosts: ["waymark.test"] };

  it("lets an upgrade in from no Origin, a listed one, or the server's own (any scheme: TLS may end at a proxy)", () => {
    expect(upgradeRefusal(req("GET", { host: "api.example.com" }), on)).toBeNull();
    expect(upgradeRefusal(req("GET", { host: "api.example.com", origin: "https://app.example.com" }), on)).toBeNull();
    expect(upgradeRefusal(req("GET", { host: "api.example.com", origin: "https://api.example.com" }), on)).toBeNull();
    expect(upgradeRefusal(req("GET", { host: "localhost:4000", origin: "http://localhost:4000" }), off)).toBeNull();
    expect(upgradeRefusal(req("GET", { host: "api.example.com", origin: "https://evil.example" }), on)).toMatch(/WAYMARK_CORS_ORIGINS/);
    expect(upgradeRefusal(req("GET", { host: "api.example.com", origin: "https://api.example.com:8443" }), on)).not.toBeNull();
    expect(upgradeRefusal(req("GET", { host: "api.example.com", origin: "null" }), on)).not.toBeNull();
    expect(upgradeRefusal(req("GET", { host: "x", origin: "https://anything.example" }), { ...on, corsOrigins: ["*"] })).toBeNull();
  });

  it("checks the Host only with auth off: loopback names and WAYMARK_ALLOWED_HOSTS", () => {
    for (const host of ["127.0.0.1:4000", "localhost", "LOCALHOST:4000", "ui.localhost:4000", "[::1]:4000", "127.8.9.10", "waymark.test:4000"])
      expect(hostRefusal(req("GET", { host }), off), host).toBeNull();
    for (const host of ["evil.example:4000", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", "a b"])
      expect(hostRefusal(req("GET", { host }), off), host).toMatch(/not a name of this server/);
    expect(hostRefusal(req("GET", { host: "evil.example" }), on)).toBeNull();
    expect(hostRefusal(req("GET", {}), off)).toBeNull();
  });

  it("reads WAYMARK_ALLOWED_HOSTS as host names, refusing URLs and ports", () => {
    expect(parseConfig({ WAYMARK_ALLOWED_HOSTS: "Waymark.Test, [::1], dev-box" }).allowedHosts).toEqual(["waymark.test", "::1", "dev-box"]);
    expect(() => parseConfig({ WAYMARK_ALLOWED_HOSTS: "http://waymark.test" })).toThrow(ConfigError);
    expect(() => parseConfig({ WAYMARK_ALLOWED_HOSTS: "waymark.test:4000" })).toThrow(/WAYMARK_ALLOWED_HOSTS/);
  });

  it("refuses WAYMARK_CORS_ORIGINS=* with WAYMARK_AUTH=off: any page could act as an admin", () => {
    expect(() => parseConfig({ WAYMARK_AUTH: "off", WAYMARK_CORS_ORIGINS: "*" })).toThrow(/WAYMARK_CORS_ORIGINS.*WAYMARK_AUTH/);
    expect(parseConfig({ WAYMARK_AUTH: "off", WAYMARK_CORS_ORIGINS: "http://localhost:5173" }).corsOrigins).toEqual(["http://localhost:5173"]);
    expect(parseConfig({ WAYMARK_CORS_ORIGINS: "*" }).corsOrigins).toEqual(["*"]);
  });
});

describe("status of request errors in application/json", () => {
  const body = (...codes: string[]) => JSON.stringify({ errors: codes.map((code) => ({ message: "m", extensions: { code } })) });

  it("is 200 for parse, validation, coercion and query-limit errors, 400 otherwise", () => {
    for (const code of ["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "QUERY_TOO_COMPLEX"]) {
      expect(statusFor(400, "application/json; charset=utf-8", body(code)), code).toBe(200);
      expect(statusFor(400, "application/graphql-response+json; charset=utf-8", body(code)), code).toBe(400);
    }
    expect(statusFor(400, "application/json", body("BAD_REQUEST"))).toBe(400);
    expect(statusFor(400, "application/json", body("GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"))).toBe(400);
    expect(statusFor(400, "application/json", JSON.stringify({ data: null, errors: [{ message: "m", extensions: { code: "BAD_USER_INPUT" } }] }))).toBe(400);
    expect(statusFor(405, "application/json", body("GRAPHQL_VALIDATION_FAILED"))).toBe(405);
    expect(statusFor(400, "application/json", "{")).toBe(400);
  });
});

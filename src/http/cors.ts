import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * CORS for browser frontends on the origins of WAYMARK_CORS_ORIGINS (or `*`).
 *
 * A preflight is granted every request header it asks for: the origin is one the operator
 * trusts, and clients add headers of their own (Apollo's client awareness, tracing) that no fixed
 * list keeps up with. Credentials are never allowed: keys travel in the Authorization header,
 * which a page must set itself, so a cross-site page never sends one it was not given.
 */

/** Granted when a preflight names no headers, or names them in a way that is not a plain list of names. */
export const DEFAULT_ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "accept",
  "x-request-id",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "apollographql-client-name",
  "apollographql-client-version",
  "traceparent",
  "tracestate",
  "baggage",
  "sentry-trace",
];
/** Headers a page may read from a response: the id to quote when reporting a problem. */
export const EXPOSED_HEADERS = ["x-request-id"];
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const MAX_ASKED = 64;

/** The request headers a preflight asks for, lower-cased; the defaults when none or not a plain list. */
function allowedHeaders(asked: string | undefined): string[] {
  const names = (asked ?? "")
    .toLowerCase()
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0 || names.length > MAX_ASKED || !names.every((name) => HEADER_NAME.test(name))) return DEFAULT_ALLOWED_HEADERS;
  return names;
}

function allowedOrigin(origin: string | undefined, origins: string[]): string | null {
  if (!origin) return null;
  if (origins.includes("*")) return "*";
  return origins.includes(origin) ? origin : null;
}

function addVary(res: ServerResponse, ...names: string[]): void {
  const current = String(res.getHeader("vary") ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const lower = current.map((name) => name.toLowerCase());
  res.setHeader("vary", [...current, ...names.filter((name) => !lower.includes(name.toLowerCase()))].join(", "));
}

export const isPreflight = (req: IncomingMessage) => req.method === "OPTIONS";

/**
 * Sets the CORS headers of a response (and of a preflight's answer). An origin not on the list
 * gets none, and the browser refuses the page the response.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: string[]): void {
  if (origins.length === 0) return;
  // The answer depends on the Origin unless every origin gets the same one.
  if (!origins.includes("*")) addVary(res, "origin");
  const allowed = allowedOrigin(req.headers.origin, origins);
  if (!allowed) return;
  res.setHeader("access-control-allow-origin", allowed);
  if (!isPreflight(req)) {
    res.setHeader("access-control-expose-headers", EXPOSED_HEADERS.join(", "));
    return;
  }
  addVary(res, "access-control-request-headers");
  res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
  res.setHeader("access-control-allow-headers", allowedHeaders(req.headers["access-control-request-headers"]).join(", "));
  res.setHeader("access-control-max-age", String(PREFLIGHT_MAX_AGE_SECONDS));
}

import type { IncomingMessage } from "node:http";
import type { VerifyClientCallbackAsync } from "ws";

/**
 * Which pages may talk to this server, beyond what CORS already covers.
 *
 * A browser lets any page open a WebSocket to any server and sends the page's Origin with the
 * upgrade; CORS plays no part. So the upgrade is checked here: a page of another origin than the
 * server's own or one of WAYMARK_CORS_ORIGINS is refused, while a client that sends no Origin at
 * all (a CLI, a server, a test) is not a browser and is let in (it still needs a key).
 *
 * With WAYMARK_AUTH=off every request acts as an admin, so a page that gets itself answered by
 * this server under its own name (DNS rebinding: evil.example resolving to 127.0.0.1) would be
 * same-origin with it. The Host header is then checked against the names a loopback server is
 * reached by, plus WAYMARK_ALLOWED_HOSTS.
 */
export interface OriginPolicy {
  corsOrigins: string[];
  authOff: boolean;
  /** Host names accepted in the Host header besides loopback ones (only checked when authOff). */
  allowedHosts: string[];
}

const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The host name of a Host header, lower-cased, without port or IPv6 brackets; null when it is not one. */
function hostNameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  } catch {
    return null;
  }
}

/** Names that resolve only to this machine: browsers themselves map *.localhost to loopback. */
const isLoopbackName = (name: string) => name === "localhost" || name.endsWith(".localhost") || name === "::1" || LOOPBACK_IPV4.test(name);

/** Why a request's Host is refused, or null. Only with auth off; a request without Host is no browser's. */
export function hostRefusal(req: IncomingMessage, policy: OriginPolicy): string | null {
  const host = req.headers.host;
  if (!policy.authOff || host === undefined) return null;
  const name = hostNameOf(host);
  if (name !== null && (isLoopbackName(name) || policy.allowedHosts.includes(name))) return null;
  return `Host "${host.slice(0, 100)}" is not a name of this server: with WAYMARK_AUTH=off only loopback names (localhost, 127.0.0.1, [::1]) and WAYMARK_ALLOWED_HOSTS are accepted`;
}

/** Whether `origin` is the server's own, as the request addressed it (same host and port, any scheme: TLS may end at a proxy). */
function isOwnOrigin(origin: URL, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

/** Why a WebSocket upgrade is refused (its Host, then its Origin), or null. */
export function upgradeRefusal(req: IncomingMessage, policy: OriginPolicy): string | null {
  const badHost = hostRefusal(req, policy);
  if (badHost) return badHost;
  const origin = req.headers.origin;
  if (origin === undefined || policy.corsOrigins.includes("*") || policy.corsOrigins.includes(origin)) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(origin);
  } catch {
    // "null" (a sandboxed frame, a file) and other non-URLs are no origin the server knows.
  }
  if (parsed && isOwnOrigin(parsed, req.headers.host)) return null;
  return `Origin "${origin.slice(0, 200)}" may not open a WebSocket here: add it to WAYMARK_CORS_ORIGINS`;
}

/** ws's upgrade check: a refused upgrade is answered with HTTP 403 and the reason, before any WebSocket exists. */
export function verifyUpgrade(policy: OriginPolicy): VerifyClientCallbackAsync {
  return ({ req }, done) => {
    const refusal = upgradeRefusal(req, policy);
    if (refusal) done(false, 403, refusal, { "Content-Type": "text/plain; charset=utf-8" });
    else done(true);
  };
}

import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { isAllowedHost, isLoopbackAddress, isNonPublicAddress, type WebhookConfig } from "./webhook-config";
import { within } from "../timeout";

export const EXCERPT_CHARS = 200;

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** What one attempt got back; a network failure or timeout is thrown instead. */
export interface PostResponse {
  status: number;
  /** The Retry-After header, as sent. */
  retryAfter: string | null;
  /** The start of the body, never more than EXCERPT_CHARS. */
  excerpt: string;
}

/** Sends one attempt. Injected so tests can count or fail sends without a network. */
export type Transport = (request: PostRequest) => Promise<PostResponse>;

export type Lookup = (host: string) => Promise<LookupAddress[]>;

/** The target refused before any connection: scheme, or an address the policy forbids. Not retried. */
export class RefusedTarget extends Error {}

const systemLookup: Lookup = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

type Policy = Pick<WebhookConfig, "allowHttpLoopback" | "allowedHosts">;

/** Refuses, without resolving, what is wrong whatever the DNS says (the check at creation). */
export function checkUrl(raw: string, policy: Policy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedTarget("is not a URL");
  }
  if (url.username || url.password) throw new RefusedTarget("must not carry credentials");
  if (url.protocol === "http:") {
    if (!policy.allowHttpLoopback) throw new RefusedTarget("must use https");
  } else if (url.protocol !== "https:") throw new RefusedTarget("must use https");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host)) checkAddress(url, host, policy);
  return url;
}

function checkAddress(url: URL, address: string, policy: Policy): void {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (url.protocol === "http:" && !isLoopbackAddress(address)) throw new RefusedTarget(`must use https (plain http is allowed to loopback only)`);
  if (isNonPublicAddress(address) && !isAllowedHost(policy.allowedHosts, host, address)) {
    throw new RefusedTarget(`resolves to ${address}, a private, loopback or link-local address (allow it with WAYMARK_WEBHOOKS_ALLOWED_HOSTS)`);
  }
}

/**
 * Resolves the URL's host and checks every address it has; the request is then made to the
 * checked address only (a pinned `lookup`), so a DNS answer changed between check and connect
 * (rebinding) cannot point it elsewhere.
 */
export async function resolveTarget(url: URL, policy: Policy, lookup: Lookup = systemLookup): Promise<LookupAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host);
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  for (const { address } of addresses) checkAddress(url, address, policy);
  return addresses[0]!;
}

/**
 * The default transport: resolve and check, then POST to the pinned address; redirects are not
 * followed. The lookup counts against the attempt's timeout: a claim's lease assumes an attempt
 * ends within it, and a name server that does not answer must not outlast the lease.
 */
export function pinnedTransport(policy: Policy, lookup: Lookup = systemLookup): Transport {
  return async (request) => {
    const started = performance.now();
    const url = checkUrl(request.url, policy);
    const target = await within(request.timeoutMs, resolveTarget(url, policy, lookup), `timed out after ${request.timeoutMs} ms`);
    const left = Math.max(1, Math.round(request.timeoutMs - (performance.now() - started)));
    return post(url, target, { ...request, timeoutMs: left }, request.timeoutMs);
  };
}

/** `limitMs`: the attempt's whole timeout, as its error names it; `request.timeoutMs` is what is left of it. */
function post(url: URL, target: LookupAddress, request: PostRequest, limitMs: number): Promise<PostResponse> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: "POST",
      headers: { ...request.headers, "content-length": Buffer.byteLength(request.body).toString() },
      timeout: request.timeoutMs,
      lookup: (_host, options, callback) =>
        (options as { all?: boolean }).all
          ? (callback as (e: null, a: LookupAddress[]) => void)(null, [target])
          : callback(null, target.address, target.family),
    });
    const deadline = setTimeout(() => req.destroy(new Error(`timed out after ${limitMs} ms`)), request.timeoutMs);
    req.on("timeout", () => req.destroy(new Error(`timed out after ${limitMs} ms`)));
    req.on("error", (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    req.on("response", (res) => {
      let excerpt = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        excerpt += chunk;
        // Only the start is kept; the rest is not worth reading from a receiver that talks a lot.
        if (excerpt.length >= EXCERPT_CHARS) res.destroy();
      });
      const done = () => {
        clearTimeout(deadline);
        const retryAfter = res.headers["retry-after"];
        resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === "string" ? retryAfter : null, excerpt: excerpt.slice(0, EXCERPT_CHARS) });
      };
      res.on("end", done);
      res.on("close", done);
    });
    req.end(request.body);
  });
}

import { BlockList, isIP } from "node:net";
import { ConfigError } from "../config";

type Env = Record<string, string | undefined>;

/** The webhook settings (README, "Webhooks"). */
export interface WebhookConfig {
  /** WAYMARK_SECRET_KEY: encrypts signing secrets at rest; null: webhooks cannot be created. */
  secretKey: string | null;
  /** WAYMARK_WEBHOOKS_ALLOW_HTTP=loopback: plain http is accepted to loopback addresses. */
  allowHttpLoopback: boolean;
  /** WAYMARK_WEBHOOKS_ALLOWED_HOSTS: host names, addresses or CIDR ranges exempt from the private-address refusal. */
  allowedHosts: string[];
  /** WAYMARK_WEBHOOKS_RETRY_WINDOW_MS: how long a delivery is retried before it is given up (default 24 h). */
  retryWindowMs: number;
  /** WAYMARK_WEBHOOKS_RETRY_BASE_MS: the first retry's delay, doubled on each retry up to an hour (default 10 s). */
  retryBaseMs: number;
  /** WAYMARK_WEBHOOKS_TIMEOUT_MS: one attempt's limit, name lookup to last byte (default 10 s). */
  timeoutMs: number;
  /** WAYMARK_WEBHOOKS_POLL_MS: how often an instance looks for due deliveries it was not told of (default 1 s). */
  pollMs: number;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

function hostList(env: Env, name: string): string[] {
  const hosts = (env[name] ?? "")
    .split(",")
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, "$1"),
    )
    .filter(Boolean);
  for (const host of hosts) {
    const [address, bits] = host.split("/");
    if (bits !== undefined && (!isIP(address!) || !/^\d{1,3}$/.test(bits)))
      throw new ConfigError(name, `"${host}" is not a host name, an address or a CIDR range`);
    if (/[\s:/@]/.test(host) && !isIP(address!)) throw new ConfigError(name, `"${host}" is not a host name, an address or a CIDR range`);
  }
  return hosts;
}

export function parseWebhookConfig(env: Env): WebhookConfig {
  const allowHttp = env.WAYMARK_WEBHOOKS_ALLOW_HTTP?.trim().toLowerCase();
  if (allowHttp && allowHttp !== "loopback") throw new ConfigError("WAYMARK_WEBHOOKS_ALLOW_HTTP", `the only accepted value is "loopback", got "${allowHttp}"`);
  const secretKey = env.WAYMARK_SECRET_KEY?.trim() || null;
  if (secretKey && secretKey.length < 32) throw new ConfigError("WAYMARK_SECRET_KEY", "must be at least 32 characters (e.g. `openssl rand -base64 32`)");
  return {
    secretKey,
    allowHttpLoopback: allowHttp === "loopback",
    allowedHosts: hostList(env, "WAYMARK_WEBHOOKS_ALLOWED_HOSTS"),
    retryWindowMs: integer(env, "WAYMARK_WEBHOOKS_RETRY_WINDOW_MS", 24 * 3600_000, 1_000, 30 * 24 * 3600_000),
    retryBaseMs: integer(env, "WAYMARK_WEBHOOKS_RETRY_BASE_MS", 10_000, 10, 3600_000),
    timeoutMs: integer(env, "WAYMARK_WEBHOOKS_TIMEOUT_MS", 10_000, 100, 120_000),
    pollMs: integer(env, "WAYMARK_WEBHOOKS_POLL_MS", 1_000, 10, 60_000),
  };
}

/** Addresses no webhook may reach unless allowed by name: private, loopback, link-local, and kin. */
const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const)
  NON_PUBLIC.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 127],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const)
  NON_PUBLIC.addSubnet(net, bits, "ipv6");

const family = (address: string) => (isIP(address) === 6 ? "ipv6" : "ipv4");

/** An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

export function isNonPublicAddress(address: string): boolean {
  const plain = unmapped(address);
  return NON_PUBLIC.check(plain, family(plain));
}

export function isLoopbackAddress(address: string): boolean {
  const plain = unmapped(address);
  return plain === "::1" || /^127\./.test(plain);
}

/** Whether `host` (as written in the URL) or the `address` it resolved to is on the allow list. */
export function isAllowedHost(allowed: readonly string[], host: string, address: string): boolean {
  const plain = unmapped(address);
  return allowed.some((entry) => {
    const [net, bits] = entry.split("/");
    if (bits === undefined) return entry === host.toLowerCase() || entry === plain;
    if (isIP(net!) !== isIP(plain)) return false;
    const list = new BlockList();
    list.addSubnet(net!, Number(bits), family(net!));
    return list.check(plain, family(plain));
  });
}

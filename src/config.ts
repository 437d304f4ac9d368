import { resolve } from "node:path";
import proxyAddr from "proxy-addr";
import { parseWebhookConfig, type WebhookConfig } from "./webhook/webhook-config";

export type DatabaseConfig = { kind: "sqlite"; path: string } | { kind: "mysql"; url: string };

/** Every setting the server reads, parsed and validated in one place (docs/design.md, "Running it"). */
export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  redisUrl: string | null;
  authOff: boolean;
  /** WAYMARK_BOOTSTRAP_KEY: the first admin key, instead of a generated one. */
  bootstrapKey: string | null;
  /** Failed authentications allowed per client address per minute. */
  authFailuresPerMinute: number;
  /**
   * WAYMARK_TRUSTED_PROXIES: the load balancers whose X-Forwarded-For is believed (addresses,
   * CIDR ranges, or `loopback`, `linklocal`, `uniquelocal`); empty: the header is ignored.
   */
  trustedProxies: string[];
  corsOrigins: string[];
  /** WAYMARK_ALLOWED_HOSTS: Host header names accepted with auth off, besides loopback ones. */
  allowedHosts: string[];
  logLevel: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** WAYMARK_METRICS: serve Prometheus metrics at /metrics. */
  metrics: boolean;
  /** WAYMARK_METRICS_TOKEN: when set, /metrics answers only requests bearing it. */
  metricsToken: string | null;
  /** WAYMARK_READINESS_TIMEOUT_MS: /readyz answers 503 when a store takes longer than this. */
  readinessTimeoutMs: number;
  /** WAYMARK_MAX_SUBSCRIPTIONS_PER_CONNECTION: subscriptions one WebSocket connection may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** WAYMARK_SHUTDOWN_TIMEOUT_MS: on SIGTERM, the process exits after this even if clients have not drained. */
  shutdownTimeoutMs: number;
  /** WAYMARK_RETENTION_INTERVAL_SECONDS: how often each instance tries the retention pass; 0 never. */
  retentionIntervalSeconds: number;
  /** Outbound webhooks: secret key, address policy, retries (webhook/webhook-config.ts). */
  webhooks: WebhookConfig;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw !== "on" && raw !== "off") throw new ConfigError(name, `expected "on" or "off", got "${raw}"`);
  return raw === "on";
}

function parseDatabase(raw: string | undefined, cwd: string): DatabaseConfig {
  const value = raw?.trim() || "sqlite:./data/waymark.sqlite";
  if (value.startsWith("sqlite:")) {
    const path = value.slice("sqlite:".length);
    if (!path) throw new ConfigError("DATABASE_URL", "sqlite: needs a file path, e.g. sqlite:./data/waymark.sqlite");
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(cwd, path) };
  }
  if (/^(mysql|mariadb):\/\//.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError("DATABASE_URL", "is not a valid URL");
    }
    if (!url.hostname || url.pathname.length < 2) {
      throw new ConfigError("DATABASE_URL", "expected mysql://user:password@host:port/database");
    }
    return { kind: "mysql", url: value };
  }
  throw new ConfigError("DATABASE_URL", "expected sqlite:<path> or mysql://user:password@host:port/database");
}

function parseUrlList(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(",").map((origin) => {
    const trimmed = origin.trim();
    if (trimmed === "*") return trimmed;
    try {
      return new URL(trimmed).origin;
    } catch {
      throw new ConfigError(name, `"${trimmed}" is not an origin such as https://app.example.com`);
    }
  });
}

/** Host names, lower-cased (brackets of an IPv6 address dropped): no scheme, port or path. */
function parseHostList(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(",").map((entry) => {
    const host = entry
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, "$1");
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(host) && !/^[0-9a-f:]+$/.test(host)) {
      throw new ConfigError(name, `"${entry.trim()}" is not a host name such as waymark.test (no scheme or port)`);
    }
    return host;
  });
}

function parseProxies(env: Env, name: string): string[] {
  const entries = (env[name] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(entries);
  } catch (error) {
    throw new ConfigError(
      name,
      `${(error as Error).message}; expected addresses or CIDR ranges (10.0.0.0/8), or loopback, linklocal, uniquelocal, separated by commas`,
    );
  }
  return entries;
}

function parseSecret(env: Env, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  if (raw.length < 16 || /[\s,]/.test(raw)) throw new ConfigError(name, "must be at least 16 characters, without spaces or commas");
  return raw;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function parseConfig(env: Env, cwd = process.cwd()): Config {
  const auth = env.WAYMARK_AUTH?.trim().toLowerCase();
  if (auth && auth !== "off" && auth !== "on") throw new ConfigError("WAYMARK_AUTH", `expected "on" or "off", got "${auth}"`);
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError("REDIS_URL", "expected redis://host:port");
  const logLevel = env.LOG_LEVEL?.trim() || "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `unknown level "${logLevel}"`);
  }
  const host = env.HOST?.trim() || "127.0.0.1";
  if (auth === "off" && !isLoopback(host)) {
    throw new ConfigError("WAYMARK_AUTH", `"off" is for local exploration only and is refused while HOST (${host}) is not a loopback address`);
  }
  const corsOrigins = parseUrlList(env, "WAYMARK_CORS_ORIGINS");
  if (auth === "off" && corsOrigins.includes("*")) {
    throw new ConfigError(
      "WAYMARK_CORS_ORIGINS",
      `"*" is refused while WAYMARK_AUTH is "off": every web page you visit could act as an admin; list your frontend's origins instead`,
    );
  }
  const bootstrapKey = env.WAYMARK_BOOTSTRAP_KEY?.trim() || null;
  if (bootstrapKey && !/^wm_[A-Za-z0-9_-]{20,200}$/.test(bootstrapKey)) {
    throw new ConfigError("WAYMARK_BOOTSTRAP_KEY", "must be wm_ followed by 20 to 200 letters, digits, '-' or '_'");
  }
  return {
    port: integer(env, "PORT", 4000, 0, 65535),
    host,
    database: parseDatabase(env.DATABASE_URL, cwd),
    redisUrl,
    authOff: auth === "off",
    bootstrapKey,
    authFailuresPerMinute: integer(env, "WAYMARK_AUTH_FAILURES_PER_MINUTE", 30, 1, 1_000_000),
    corsOrigins,
    allowedHosts: parseHostList(env, "WAYMARK_ALLOWED_HOSTS"),
    trustedProxies: parseProxies(env, "WAYMARK_TRUSTED_PROXIES"),
    logLevel,
    maxBodyBytes: integer(env, "WAYMARK_MAX_BODY_BYTES", 1_048_576, 1024, 64 * 1_048_576),
    metrics: onOff(env, "WAYMARK_METRICS", true),
    metricsToken: parseSecret(env, "WAYMARK_METRICS_TOKEN"),
    readinessTimeoutMs: integer(env, "WAYMARK_READINESS_TIMEOUT_MS", 2_000, 50, 60_000),
    shutdownTimeoutMs: integer(env, "WAYMARK_SHUTDOWN_TIMEOUT_MS", 25_000, 100, 600_000),
    maxSubscriptionsPerConnection: integer(env, "WAYMARK_MAX_SUBSCRIPTIONS_PER_CONNECTION", 100, 1, 10_000),
    retentionIntervalSeconds: integer(env, "WAYMARK_RETENTION_INTERVAL_SECONDS", 600, 0, 86_400),
    webhooks: parseWebhookConfig(env),
  };
}

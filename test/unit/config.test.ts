import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";

/** The ConfigError thrown by parseConfig(env), or a failure when it does not throw one. */
function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env, "/srv/waymark");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe("parseConfig", () => {
  it("gives every default for an empty environment", () => {
    expect(parseConfig({}, "/srv/waymark")).toEqual({
      port: 4000,
      host: "127.0.0.1",
      database: { kind: "sqlite", path: "/srv/waymark/data/waymark.sqlite" },
      redisUrl: null,
      authOff: false,
      bootstrapKey: null,
      authFailuresPerMinute: 30,
      trustedProxies: [],
      corsOrigins: [],
      allowedHosts: [],
      logLevel: "info",
      maxBodyBytes: 1_048_576,
      metrics: true,
      metricsToken: null,
      readinessTimeoutMs: 2_000,
      shutdownTimeoutMs: 25_000,
      maxSubscriptionsPerConnection: 100,
      retentionIntervalSeconds: 600,
      webhooks: {
        secretKey: null,
        allowHttpLoopback: false,
        allowedHosts: [],
        retryWindowMs: 86_400_000,
        retryBaseMs: 10_000,
        timeoutMs: 10_000,
        pollMs: 1_000,
      },
    });
  });

  it("refuses WAYMARK_AUTH=off unless the server listens on loopback only", () => {
    expect(parseConfig({ WAYMARK_AUTH: "off", HOST: "::1" }).authOff).toBe(true);
    expect(parseConfig({ WAYMARK_AUTH: "off", HOST: "localhost" }).authOff).toBe(true);
    expect(() => parseConfig({ WAYMARK_AUTH: "off", HOST: "0.0.0.0" })).toThrow(/WAYMARK_AUTH.*loopback/);
    expect(() => parseConfig({ WAYMARK_AUTH: "off", HOST: "10.1.2.3" })).toThrow(ConfigError);
  });

  it("checks the shape of WAYMARK_BOOTSTRAP_KEY", () => {
    expect(parseConfig({ WAYMARK_BOOTSTRAP_KEY: "wm_abcdefghijklmnopqrstuvwxyz" }).bootstrapKey).toBe("wm_abcdefghijklmnopqrstuvwxyz");
    expect(() => parseConfig({ WAYMARK_BOOTSTRAP_KEY: "secret" })).toThrow(/WAYMARK_BOOTSTRAP_KEY/);
  });

  it("resolves the default SQLite path against the current directory when none is given", () => {
    expect(parseConfig({}).database).toEqual({ kind: "sqlite", path: resolve(process.cwd(), "data", "waymark.sqlite") });
  });

  it("treats blank values as absent", () => {
    expect(parseConfig({ PORT: " ", HOST: "", DATABASE_URL: "  ", REDIS_URL: "", LOG_LEVEL: " " }, "/srv/waymark")).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      database: { kind: "sqlite", path: "/srv/waymark/data/waymark.sqlite" },
      redisUrl: null,
      logLevel: "info",
    });
  });

  it("reads every variable it is given", () => {
    const config = parseConfig(
      {
        PORT: "8080",
        HOST: "0.0.0.0",
        DATABASE_URL: "mysql://waymark:pw@db.internal:3306/waymark",
        REDIS_URL: "redis://cache:6379",
        WAYMARK_AUTH: "on",
        WAYMARK_CORS_ORIGINS: "https://app.example.com/some/path, http://localhost:5173",
        LOG_LEVEL: "debug",
        WAYMARK_MAX_BODY_BYTES: "2048",
        WAYMARK_BOOTSTRAP_KEY: "wm_0123456789abcdefghijklmn",
        WAYMARK_AUTH_FAILURES_PER_MINUTE: "5",
        WAYMARK_METRICS: "off",
        WAYMARK_READINESS_TIMEOUT_MS: "500",
        WAYMARK_SHUTDOWN_TIMEOUT_MS: "10000",
        WAYMARK_TRUSTED_PROXIES: "10.0.0.0/8, loopback,fd00::1",
        WAYMARK_METRICS_TOKEN: "scrape-token-0123456789",
        WAYMARK_MAX_SUBSCRIPTIONS_PER_CONNECTION: "250",
      },
      "/srv/waymark",
    );
    expect(config).toEqual({
      port: 8080,
      host: "0.0.0.0",
      database: { kind: "mysql", url: "mysql://waymark:pw@db.internal:3306/waymark" },
      redisUrl: "redis://cache:6379",
      authOff: false,
      bootstrapKey: "wm_0123456789abcdefghijklmn",
      authFailuresPerMinute: 5,
      trustedProxies: ["10.0.0.0/8", "loopback", "fd00::1"],
      corsOrigins: ["https://app.example.com", "http://localhost:5173"],
      allowedHosts: [],
      logLevel: "debug",
      maxBodyBytes: 2048,
      metrics: false,
      metricsToken: "scrape-token-0123456789",
      readinessTimeoutMs: 500,
      shutdownTimeoutMs: 10_000,
      maxSubscriptionsPerConnection: 250,
      retentionIntervalSeconds: 600,
      webhooks: {
        secretKey: null,
        allowHttpLoopback: false,
        allowedHosts: [],
        retryWindowMs: 86_400_000,
        retryBaseMs: 10_000,
        timeoutMs: 10_000,
        pollMs: 1_000,
      },
    });
  });

  it("resolves relative SQLite paths against cwd and keeps absolute ones and :memory:", () => {
    expect(parseConfig({ DATABASE_URL: "sqlite:db/x.sqlite" }, "/srv/waymark").database).toEqual({ kind: "sqlite", path: "/srv/waymark/db/x.sqlite" });
    expect(parseConfig({ DATABASE_URL: "sqlite:/var/lib/w.sqlite" }, "/srv/waymark").database).toEqual({ kind: "sqlite", path: "/var/lib/w.sqlite" });
    expect(parseConfig({ DATABASE_URL: "sqlite::memory:" }, "/srv/waymark").database).toEqual({ kind: "sqlite", path: ":memory:" });
  });

  it("accepts mariadb:// and rediss:// URLs, WAYMARK_AUTH=on, and a wildcard origin", () => {
    const config = parseConfig({ DATABASE_URL: "mariadb://u@h/db", REDIS_URL: "rediss://cache:6380", WAYMARK_AUTH: "ON", WAYMARK_CORS_ORIGINS: "*" });
    expect(config.database).toEqual({ kind: "mysql", url: "mariadb://u@h/db" });
    expect(config.redisUrl).toBe("rediss://cache:6380");
    expect(config.authOff).toBe(false);
    expect(config.corsOrigins).toEqual(["*"]);
    expect(parseConfig({ WAYMARK_AUTH: "OFF" }).authOff).toBe(true);
  });

  it("accepts PORT 0 and 65535", () => {
    expect(parseConfig({ PORT: "0" }).port).toBe(0);
    expect(parseConfig({ PORT: "65535" }).port).toBe(65535);
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "65536"],
    ["PORT", "-1"],
    ["PORT", "80.5"],
    ["PORT", "1e3"],
    ["PORT", "0x50"],
    ["DATABASE_URL", "postgres://u:p@h/db"],
    ["DATABASE_URL", "sqlite:"],
    ["DATABASE_URL", "mysql://h"],
    ["DATABASE_URL", "mysql://h/"],
    ["DATABASE_URL", "./data/waymark.sqlite"],
    ["DATABASE_URL", "mysql://[bad/db"],
    ["REDIS_URL", "http://cache:6379"],
    ["REDIS_URL", "cache:6379"],
    ["WAYMARK_AUTH", "maybe"],
    ["WAYMARK_AUTH", "false"],
    ["LOG_LEVEL", "verbose"],
    ["LOG_LEVEL", "INFO"],
    ["WAYMARK_CORS_ORIGINS", "app.example.com"],
    ["WAYMARK_MAX_BODY_BYTES", "10"],
    ["WAYMARK_TRUSTED_PROXIES", "my-balancer"],
    ["WAYMARK_TRUSTED_PROXIES", "10.0.0.0/99"],
    ["WAYMARK_TRUSTED_PROXIES", "10.0.0.1;10.0.0.2"],
    ["WAYMARK_METRICS_TOKEN", "short"],
    ["WAYMARK_METRICS_TOKEN", "a token with spaces in it"],
  ])("refuses %s=%j with a ConfigError naming the variable", (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.name).toBe("ConfigError");
  });

  it("quotes the bad value in the message", () => {
    expect(configError({ PORT: "abc" }).message).toBe('PORT: expected a whole number from 0 to 65535, got "abc"');
    expect(configError({ LOG_LEVEL: "verbose" }).message).toBe('LOG_LEVEL: unknown level "verbose"');
    expect(configError({ WAYMARK_AUTH: "maybe" }).message).toBe('WAYMARK_AUTH: expected "on" or "off", got "maybe"');
  });
});

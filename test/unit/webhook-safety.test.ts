import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backoffMs, retryAfterMs, verdictOf } from "../../src/webhook/retry";
import { SecretBox } from "../../src/webhook/secret-box";
import { signatureHeader, verifySignature } from "../../src/webhook/signature";
import { checkUrl, pinnedTransport, RefusedTarget, resolveTarget, type Lookup } from "../../src/webhook/transport";
import { isNonPublicAddress, parseWebhookConfig } from "../../src/webhook/webhook-config";

const AT = new Date("2026-01-01T00:00:00Z");

describe("webhook signatures", () => {
  it("signs t.body with HMAC-SHA256 of the secret, as documented", () => {
    const header = signatureHeader('{"a":1}', ["whsec_abc"], AT);
    const t = AT.getTime() / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac("sha256", "whsec_abc").update(`${t}.{"a":1}`).digest("hex")}`);
    expect(verifySignature(header, '{"a":1}', "whsec_abc", AT)).toBe(true);
    expect(verifySignature(header, '{"a":2}', "whsec_abc", AT)).toBe(false);
    expect(verifySignature(header, '{"a":1}', "whsec_other", AT)).toBe(false);
  });

  it("refuses a replay outside the tolerance, and accepts any of several v1 values", () => {
    const header = signatureHeader("x", ["new", "old"], AT);
    expect(verifySignature(header, "x", "old", AT)).toBe(true);
    expect(verifySignature(header, "x", "new", AT)).toBe(true);
    expect(verifySignature(header, "x", "new", new Date(AT.getTime() + 301_000))).toBe(false);
  });

  it("encrypts secrets at rest so that another key cannot read them", () => {
    const box = new SecretBox("k".repeat(32));
    const sealed = box.seal("whsec_x");
    expect(sealed).not.toContain("whsec_x");
    expect(box.open(sealed)).toBe("whsec_x");
    expect(() => new SecretBox("j".repeat(32)).open(sealed)).toThrow();
  });
});

describe("webhook address policy", () => {
  const strict = { allowHttpLoopback: false, allowedHosts: [] };
  const lookup =
    (addresses: string[]): Lookup =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it.each([
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "127.0.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fe80::1",
    "fd00::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
  ])("%s is not public", (address) => expect(isNonPublicAddress(address)).toBe(true));
  it.each(["93.184.216.34", "8.8.8.8", "2606:4700::1111"])("%s is public", (address) => expect(isNonPublicAddress(address)).toBe(false));

  it("refuses http, other schemes and credentials; http to loopback only when allowed", () => {
    expect(() => checkUrl("http://example.com/x", strict)).toThrow(RefusedTarget);
    expect(() => checkUrl("ftp://example.com/x", strict)).toThrow(RefusedTarget);
    expect(() => checkUrl("https://u:p@example.com/x", strict)).toThrow(RefusedTarget);
    expect(() => checkUrl("http://127.0.0.1:8080/x", { allowHttpLoopback: true, allowedHosts: ["127.0.0.1"] })).not.toThrow();
    expect(() => checkUrl("http://127.0.0.1:8080/x", { allowHttpLoopback: true, allowedHosts: [] })).toThrow(/loopback/);
  });

  it("refuses a name resolving to loopback or a private address, any of its addresses", async () => {
    const url = new URL("https://hooks.example.com/x");
    await expect(resolveTarget(url, strict, lookup(["127.0.0.1"]))).rejects.toThrow(RefusedTarget);
    await expect(resolveTarget(url, strict, lookup(["93.184.216.34", "10.0.0.7"]))).rejects.toThrow(/10\.0\.0\.7/);
    await expect(resolveTarget(url, strict, lookup(["93.184.216.34"]))).resolves.toMatchObject({ address: "93.184.216.34" });
  });

  it("lets the allow list exempt a host by name, address or range", async () => {
    const url = new URL("https://hooks.internal/x");
    await expect(resolveTarget(url, { ...strict, allowedHosts: ["hooks.internal"] }, lookup(["10.1.1.1"]))).resolves.toBeTruthy();
    await expect(resolveTarget(url, { ...strict, allowedHosts: ["10.1.0.0/16"] }, lookup(["10.1.1.1"]))).resolves.toBeTruthy();
    await expect(resolveTarget(url, { ...strict, allowedHosts: ["10.2.0.0/16"] }, lookup(["10.1.1.1"]))).rejects.toThrow(RefusedTarget);
  });

  it("parses its settings and refuses nonsense", () => {
    expect(parseWebhookConfig({ WAYMARK_WEBHOOKS_ALLOWED_HOSTS: "Hooks.Internal, 10.0.0.0/8,[::1]" }).allowedHosts).toEqual([
      "hooks.internal",
      "10.0.0.0/8",
      "::1",
    ]);
    expect(() => parseWebhookConfig({ WAYMARK_WEBHOOKS_ALLOW_HTTP: "yes" })).toThrow(/loopback/);
    expect(() => parseWebhookConfig({ WAYMARK_SECRET_KEY: "short" })).toThrow(/32/);
  });
});

describe("webhook retries", () => {
  const context = { attempt: 1, baseMs: 1000, now: AT, windowEndsAt: AT.getTime() + 3600_000, random: () => 0.5 };
  const answer = (status: number, retryAfter: string | null = null) => ({ status, retryAfter, excerpt: "" });

  it("retries network errors, timeouts, 5xx and 429 with jittered exponential backoff", () => {
    expect(verdictOf(null, context)).toEqual({ kind: "retry", delayMs: 750 });
    expect(verdictOf(answer(503), { ...context, attempt: 3 })).toEqual({ kind: "retry", delayMs: 3000 });
    expect(verdictOf(answer(429), context).kind).toBe("retry");
    expect(backoffMs(40, 1000, () => 0.999)).toBeLessThanOrEqual(3600_000);
  });

  it("honours Retry-After, gives up on other answers, and when the window would close", () => {
    expect(verdictOf(answer(429, "120"), context)).toEqual({ kind: "retry", delayMs: 120_000 });
    expect(retryAfterMs(new Date(AT.getTime() + 5000).toUTCString(), AT)).toBe(5000);
    expect(verdictOf(answer(302), context)).toEqual({ kind: "give-up", exhausted: false });
    expect(verdictOf(answer(404), context)).toEqual({ kind: "give-up", exhausted: false });
    expect(verdictOf(answer(200), context)).toEqual({ kind: "delivered" });
    expect(verdictOf(answer(500), { ...context, windowEndsAt: AT.getTime() + 100 })).toEqual({ kind: "give-up", exhausted: true });
  });
});

describe("the pinned transport", () => {
  it("connects to the address it checked, not to what the system resolver would answer", async () => {
    const { createServer } = await import("node:http");
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.host));
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      // .invalid never resolves through DNS: only the pinned lookup can take the request anywhere.
      const lookup: Lookup = async () => [{ address: "127.0.0.1", family: 4 }];
      const send = pinnedTransport({ allowHttpLoopback: true, allowedHosts: ["hooks.invalid"] }, lookup);
      const answer = await send({ url: `http://hooks.invalid:${port}/x`, headers: {}, body: "{}", timeoutMs: 2000 });
      expect(answer).toMatchObject({ status: 200, excerpt: "ok" });
      expect(seen).toEqual([`hooks.invalid:${port}`]);
      const refused = pinnedTransport({ allowHttpLoopback: true, allowedHosts: [] }, lookup);
      await expect(refused({ url: `http://hooks.invalid:${port}/x`, headers: {}, body: "{}", timeoutMs: 2000 })).rejects.toThrow(RefusedTarget);
      expect(seen).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});

import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * `Waymark-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed by the whole
 * secret string. During a rotation's grace period every valid secret signs, one `v1` each (newest
 * first), so receivers holding either secret accept the delivery.
 */
export function signatureHeader(body: string, secrets: readonly string[], at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return [`t=${t}`, ...secrets.map((secret) => `v1=${sign(secret, t, body)}`)].join(",");
}

function sign(secret: string, t: number, body: string): string {
  return createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
}

/**
 * The receiver's check: some `v1` matches and `t` is within `toleranceSeconds` of `now` (a
 * replayed old delivery is refused). Exported for tests and as the reference for the README.
 */
export function verifySignature(header: string, body: string, secret: string, now: Date, toleranceSeconds = 300): boolean {
  const parts = header.split(",").map((part) => part.split("=", 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isSafeInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, t, body), "hex");
  // Only 64 hex digits decode to 32 bytes; anything else would make timingSafeEqual throw on the length.
  return parts.some(([k, v]) => k === "v1" && /^[0-9a-f]{64}$/i.test(v ?? "") && timingSafeEqual(Buffer.from(v, "hex"), expected));
}

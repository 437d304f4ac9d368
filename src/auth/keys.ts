import { createHash, randomBytes } from "node:crypto";

/** Every key starts with this, so secret scanners and people recognise one when they see it. */
export const KEY_PREFIX = "wm_";
const KEY_PATTERN = /^wm_[A-Za-z0-9_-]{20,200}$/;

/** A new key: the prefix and 32 random bytes (256 bits) in base64url. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function isWellFormedKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What is shown of a key after creation: enough to tell keys apart, nothing usable. */
export function displayPrefix(key: string): string {
  return key.slice(0, 10);
}

/**
 * The key in an `Authorization: Bearer <key>` value (HTTP header, or the graphql-ws
 * connection_init payload as GraphiQL sends it); null when there is none.
 */
export function bearerKey(authorization: unknown): string | null {
  if (typeof authorization !== "string") return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";

/**
 * Webhook signing secrets must be readable to sign, so they are encrypted at rest (AES-256-GCM)
 * under a key derived from WAYMARK_SECRET_KEY; a database dump alone cannot forge signatures.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < 32) throw new Error("WAYMARK_SECRET_KEY must be at least 32 characters");
    this.key = Buffer.from(hkdfSync("sha256", secretKey, "waymark", "webhook signing secrets", 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  /** Throws when the text was sealed under another key or altered. */
  open(sealed: string): string {
    if (!sealed.startsWith(`${VERSION}:`)) throw new Error("unknown secret format");
    const raw = Buffer.from(sealed.slice(VERSION.length + 1), "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}

/** A new signing secret, shown to its creator once. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

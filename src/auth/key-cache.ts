import { LRUCache } from "lru-cache";
import type { Principal } from "./principal";

/** Distinct valid keys one instance keeps resolved; the least recently used go first. */
const MAX_VALID = 10_000;
/** Distinct unknown key hashes remembered, so that a flood of them cannot grow memory. */
const MAX_UNKNOWN = 10_000;
/** A key found unknown or revoked is refused from memory for this long (its own clock, not the check's). */
const UNKNOWN_TTL_MS = 10_000;

/** The source of truth behind the cache: the key's principal, or null when it is unknown or revoked. */
export type KeyLookup = (hash: string) => Promise<Principal | null>;

/**
 * API keys resolved from memory, never letting a revoked key through. What is held is trusted
 * only while a check of the key table (KeyTableWatch) has succeeded within `maxStaleMs`, and it
 * is dropped at once when a revocation is seen — made here, announced over Redis, or found by
 * that check. A lookup that was in flight while its kind of answer was dropped is not kept: a key
 * found valid may have been read before its revocation, one found unknown before its creation.
 * (A creation says nothing about valid keys, so it does not discard a valid one in flight.)
 */
export class KeyCache {
  private readonly valid = new LRUCache<string, Principal>({ max: MAX_VALID });
  private readonly unknown = new LRUCache<string, true>({ max: MAX_UNKNOWN, ttl: UNKNOWN_TTL_MS });
  /** Bumped by each drop of its kind, so lookups that straddle one are not stored. */
  private validGeneration = 0;
  private unknownGeneration = 0;
  private confirmedAt = -Infinity;

  constructor(
    private readonly maxStaleMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  async resolve(hash: string, lookup: KeyLookup): Promise<Principal | null> {
    const trusted = this.clock() - this.confirmedAt <= this.maxStaleMs;
    if (trusted) {
      const hit = this.valid.get(hash);
      if (hit) return hit;
      if (this.unknown.has(hash)) return null;
    }
    const { validGeneration, unknownGeneration } = this;
    const principal = await lookup(hash);
    if (trusted && principal && validGeneration === this.validGeneration) this.valid.set(hash, principal);
    if (trusted && !principal && unknownGeneration === this.unknownGeneration) this.unknown.set(hash, true);
    return principal;
  }

  /**
   * The key table was read, starting at `startedAt` (this cache's clock), and showed nothing
   * that invalidates what is held (or what did was dropped first).
   */
  confirm(startedAt: number): void {
    this.confirmedAt = Math.max(this.confirmedAt, startedAt);
  }

  /** A key was revoked somewhere: forget every valid key, and any lookup now in flight. */
  dropValid(): void {
    this.validGeneration++;
    this.valid.clear();
  }

  /** A key was created somewhere: an "unknown" answer may be out of date. */
  dropUnknown(): void {
    this.unknownGeneration++;
    this.unknown.clear();
  }

  get size(): { valid: number; unknown: number } {
    return { valid: this.valid.size, unknown: this.unknown.size };
  }
}

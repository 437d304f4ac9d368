import { LRUCache } from "lru-cache";
import type { Logger } from "../logger";
import type { RedisBus } from "../redis-bus";

const CHANNEL = "waymark:key-revoked";
/**
 * Without Redis (or while it is down) another instance's revocation is learnt only from the
 * database: open connections' keys are re-checked this often, so a revoked key's subscription
 * ends within 1 s wherever it is.
 */
const RECHECK_MS = 500;
/** With Redis up, the re-check is only the safety net for a revocation whose message was lost. */
const SAFETY_RECHECK_MS = 10_000;

export interface Closable {
  close(code: number, reason: string): void;
}

/**
 * Ends open WebSocket connections the moment their API key is revoked (close code 4403), on
 * this instance directly and on the others through Redis, with a periodic re-check behind both
 * (the only way across instances without Redis); and tells `forget` (the key cache) at the same moments.
 */
export class KeyRevocations {
  private readonly open = new Map<number, Set<Closable>>();
  /**
   * Keys seen revoked, the latest 10,000 (a key stays revoked). A connection authenticates, then
   * registers here: one whose key was revoked in between would otherwise be missed until the next
   * re-check (10 s with Redis up).
   */
  private readonly seenRevoked = new LRUCache<number, true>({ max: 10_000 });
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly bus: RedisBus | null,
    private readonly revokedAmong: (keyIds: number[]) => Promise<number[]>,
    private readonly logger: Logger,
    private readonly forget: (keyId: number) => void = () => undefined,
  ) {
    bus?.subscribe(CHANNEL, (text) => {
      this.forget(Number(text));
      this.closeAll(Number(text));
    });
    bus?.onReady(() => this.recheckEvery(SAFETY_RECHECK_MS));
    bus?.onDown(() => this.recheckEvery(RECHECK_MS));
    this.recheckEvery(RECHECK_MS);
  }

  /** Registers an open connection; null when its key has been seen revoked (the caller refuses it). */
  track(keyId: number, connection: Closable): (() => void) | null {
    if (this.seenRevoked.has(keyId)) return null;
    const set = this.open.get(keyId) ?? new Set<Closable>();
    set.add(connection);
    this.open.set(keyId, set);
    return () => {
      set.delete(connection);
      if (set.size === 0 && this.open.get(keyId) === set) this.open.delete(keyId);
    };
  }

  revoked(keyId: number): void {
    this.forget(keyId);
    this.closeAll(keyId);
    this.bus?.publish(CHANNEL, String(keyId));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  private recheckEvery(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.recheck(), ms);
    this.timer.unref();
  }

  private closeAll(keyId: number): void {
    this.seenRevoked.set(keyId, true);
    for (const connection of this.open.get(keyId) ?? []) connection.close(4403, "Forbidden: API key revoked");
    this.open.delete(keyId);
  }

  private async recheck(): Promise<void> {
    if (this.checking || this.open.size === 0) return;
    this.checking = true;
    try {
      for (const keyId of await this.revokedAmong([...this.open.keys()])) this.closeAll(keyId);
      this.failing = false;
    } catch (error) {
      // Once per outage, not twice a second.
      if (!this.failing) this.logger.warn({ err: error }, "could not re-check revoked keys");
      this.failing = true;
    } finally {
      this.checking = false;
    }
  }
}

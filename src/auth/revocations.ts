import type { Logger } from "../logger";
import type { RedisBus } from "../redis-bus";

const CHANNEL = "waymark:key-revoked";
/** Safety net for a revocation whose Redis message was lost: open connections are re-checked this often. */
const RECHECK_MS = 10_000;

export interface Closable {
  close(code: number, reason: string): void;
}

/**
 * Ends open WebSocket connections the moment their API key is revoked (close code 4403), on
 * this instance directly and on the others through Redis, with a periodic re-check behind both;
 * and tells `forget` (the key cache) at the same moments.
 */
export class KeyRevocations {
  private readonly open = new Map<number, Set<Closable>>();
  private readonly timer: NodeJS.Timeout;

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
    this.timer = setInterval(() => void this.recheck(), RECHECK_MS);
    this.timer.unref();
  }

  track(keyId: number, connection: Closable): () => void {
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
    clearInterval(this.timer);
  }

  private closeAll(keyId: number): void {
    for (const connection of this.open.get(keyId) ?? []) connection.close(4403, "Forbidden: API key revoked");
    this.open.delete(keyId);
  }

  private async recheck(): Promise<void> {
    try {
      for (const keyId of await this.revokedAmong([...this.open.keys()])) this.closeAll(keyId);
    } catch (error) {
      this.logger.warn({ err: error }, "could not re-check revoked keys");
    }
  }
}

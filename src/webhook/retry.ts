import type { PostResponse } from "./transport";

const MAX_DELAY_MS = 3600_000;

/** What an attempt's outcome means for its delivery; `exhausted`: given up because the retry window closed. */
export type Verdict = { kind: "delivered" } | { kind: "retry"; delayMs: number } | { kind: "give-up"; exhausted: boolean };

/** Answers worth trying again: the receiver is overloaded or broken for now. */
export const isRetryableStatus = (status: number) => status === 429 || (status >= 500 && status <= 599);

/**
 * Exponential backoff with jitter: `base · 2^(n-1)`, capped at an hour, scaled by a random
 * factor in [0.5, 1) so the deliveries of one outage do not all come back at once.
 */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const raw = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(raw * (0.5 + random() / 2));
}

/** `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

export interface RetryContext {
  attempt: number;
  baseMs: number;
  now: Date;
  /** When the delivery's retry window closes, epoch ms. */
  windowEndsAt: number;
  random?: () => number;
}

/** The verdict on an answer, or on a network error / timeout (`response` null). */
export function verdictOf(response: PostResponse | null, context: RetryContext): Verdict {
  if (response && response.status >= 200 && response.status < 300) return { kind: "delivered" };
  if (response && !isRetryableStatus(response.status)) return { kind: "give-up", exhausted: false };
  const backoff = backoffMs(context.attempt, context.baseMs, context.random);
  const delayMs = Math.min(MAX_DELAY_MS, Math.max(backoff, retryAfterMs(response?.retryAfter ?? null, context.now) ?? 0));
  return context.now.getTime() + delayMs > context.windowEndsAt ? { kind: "give-up", exhausted: true } : { kind: "retry", delayMs };
}

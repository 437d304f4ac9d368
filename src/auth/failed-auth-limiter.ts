import type { ApolloServerPlugin } from "@apollo/server";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { ErrorCode, WaymarkError } from "../errors";

/**
 * Counts failed authentications per client address; past the limit, that address's failures
 * are RATE_LIMITED for the rest of the minute, so keys cannot be guessed at speed. Only
 * failures are refused: a valid key is never locked out by others failing from its address
 * (a shared NAT or load balancer).
 */
export class FailedAuthLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** RATE_LIMITED while the address has used up its failures, else null. */
  async refusal(address: string): Promise<WaymarkError | null> {
    const state = await this.limiter.get(address);
    if (!state || state.consumedPoints < this.perMinute) return null;
    const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new WaymarkError(ErrorCode.RATE_LIMITED, `Too many failed authentications from this address; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }

  async failed(address: string): Promise<void> {
    await this.limiter.penalty(address, 1);
  }
}

/** An HTTP answer carrying RATE_LIMITED is a 429 with Retry-After, as HTTP clients and proxies expect. */
export function rateLimitedStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const limited = response.body.singleResult.errors?.find((error) => error.extensions?.code === ErrorCode.RATE_LIMITED);
          if (!limited) return;
          response.http.status = 429;
          response.http.headers.set("retry-after", String(limited.extensions?.retryAfterSeconds ?? 60));
        },
      };
    },
  };
}

import { RateLimiterMemory } from "rate-limiter-flexible";
import { ErrorCode, WaymarkError } from "../errors";

/**
 * Counts failed authentications per client address; past the limit, that address gets
 * RATE_LIMITED for the rest of the minute, valid key or not, so keys cannot be guessed at speed.
 */
export class FailedAuthLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  async check(address: string): Promise<void> {
    const state = await this.limiter.get(address);
    if (state && state.consumedPoints >= this.perMinute) {
      throw new WaymarkError(ErrorCode.RATE_LIMITED, `Too many failed authentications from this address; retry in ${Math.ceil(state.msBeforeNext / 1000)} s`);
    }
  }

  async failed(address: string): Promise<void> {
    await this.limiter.penalty(address, 1);
  }
}

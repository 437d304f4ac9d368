import type { ApolloServerPlugin } from "@apollo/server";
import ipaddr from "ipaddr.js";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { ErrorCode, WaymarkError } from "../errors";

/**
 * Where failures are counted: an IPv4 address (IPv4-mapped IPv6 included) by itself, an IPv6
 * address by its /64. A single subscriber is usually given a whole /64 (RFC 6177), and any host on
 * one picks its own addresses in it (SLAAC, RFC 4862), so counting per IPv6 address would give one
 * client 2^64 fresh limits. What is not an address (a socket without one) is counted as it is.
 */
export function failureKeyOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([...parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}

/**
 * Counts failed authentications per client address (per /64 for IPv6: failureKeyOf); past the
 * limit, that address's failures are RATE_LIMITED for the rest of the minute, so keys cannot be
 * guessed at speed. Only failures are refused: a valid key is never locked out by others failing
 * from its address (a shared NAT or load balancer).
 */
export class FailedAuthLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** RATE_LIMITED while the address has used up its failures, else null. */
  async refusal(address: string): Promise<WaymarkError | null> {
    const state = await this.limiter.get(failureKeyOf(address));
    if (!state || state.consumedPoints < this.perMinute) return null;
    const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new WaymarkError(ErrorCode.RATE_LIMITED, `Too many failed authentications from this address or its network; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }

  async failed(address: string): Promise<void> {
    await this.limiter.penalty(failureKeyOf(address), 1);
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

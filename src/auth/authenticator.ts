import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import { ErrorCode, WaymarkError, isUnavailable } from "../errors";
import type { AuthService } from "./auth.service";
import type { FailedAuthLimiter } from "./failed-auth-limiter";
import { bearerKey } from "./keys";
import type { Principal } from "./principal";

/** The outcome of authenticating a request or connection: a principal, or why there is none. */
export interface Authentication {
  principal: Principal | null;
  failure: WaymarkError | null;
}

/** Decides who a request is, once, before any resolver runs. */
export class Authenticator {
  private anonymous: Promise<Principal> | null = null;

  constructor(
    private readonly service: AuthService,
    private readonly limiter: FailedAuthLimiter,
    private readonly authOff: boolean,
  ) {}

  async authenticate(authorization: unknown, address: string): Promise<Authentication> {
    try {
      if (this.authOff) return { principal: await this.anonymousPrincipal(), failure: null };
      return { principal: await this.service.authenticate(bearerKey(authorization)), failure: null };
    } catch (error) {
      if (isUnavailable(error)) {
        return { principal: null, failure: new WaymarkError(ErrorCode.UNAVAILABLE, "The database is unavailable; retry shortly.", { retryable: true }) };
      }
      if (!(error instanceof WaymarkError)) throw error;
      if (this.authOff || error.code !== ErrorCode.UNAUTHENTICATED) return { principal: null, failure: error };
      // Checked after the key: only failures are refused, so a valid key always passes.
      const refusal = await this.limiter.refusal(address);
      if (refusal) return { principal: null, failure: refusal };
      // Only a presented credential is a guess; a request with none (a dashboard before its key
      // is pasted) must not use up the failures of everyone behind the same address.
      if (authorization != null && authorization !== "") await this.limiter.failed(address);
      return { principal: null, failure: error };
    }
  }

  /** Read once; a failed read (the database unavailable) is not kept, so the next request reads again. */
  private anonymousPrincipal(): Promise<Principal> {
    this.anonymous ??= this.service.anonymousPrincipal().catch((error: unknown) => {
      this.anonymous = null;
      throw error;
    });
    return this.anonymous;
  }
}

/**
 * The client's address for failed-auth limiting. With trusted proxies (WAYMARK_TRUSTED_PROXIES:
 * addresses, CIDR ranges, or proxy-addr's `loopback`, `linklocal`, `uniquelocal`), the
 * X-Forwarded-For entries appended by trusted hops are followed to the first untrusted one;
 * without, the header is ignored, since any client can write it.
 */
export function clientAddressOf(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  if (trustedProxies.length === 0) return (req) => req.socket.remoteAddress ?? "unknown";
  const trust = proxyAddr.compile([...trustedProxies]);
  return (req) => (req.socket.remoteAddress ? proxyAddr(req, trust) : "unknown");
}

/** The Authorization value of a graphql-ws connection_init payload, as GraphiQL and others send it. */
export function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!params) return undefined;
  const headers = typeof params.headers === "object" && params.headers !== null ? (params.headers as Record<string, unknown>) : {};
  for (const source of [params, headers]) {
    for (const [name, value] of Object.entries(source)) if (name.toLowerCase() === "authorization") return value;
  }
  return undefined;
}

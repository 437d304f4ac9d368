import type { AuthChecker } from "type-graphql";
import type { RequestContext } from "../context";
import { ErrorCode, WaymarkError } from "../errors";
import { unauthenticated } from "./auth.service";
import type { KeyScope } from "./scopes";

/** Throws UNAUTHENTICATED without a valid key, FORBIDDEN without every scope named. */
export function requireScopes(context: RequestContext, scopes: readonly KeyScope[]): void {
  const { principal } = context;
  if (!principal) throw context.authFailure ?? unauthenticated("An API key is required: send Authorization: Bearer <key>");
  const missing = scopes.filter((scope) => !principal.scopes.has(scope));
  if (missing.length > 0) throw new WaymarkError(ErrorCode.FORBIDDEN, `This API key lacks the ${missing.join(", ")} scope`);
}

/** type-graphql's check for @Authorized(scopes…) on every root field. */
export const scopeChecker: AuthChecker<RequestContext, KeyScope> = ({ context }, scopes) => {
  requireScopes(context, scopes);
  return true;
};

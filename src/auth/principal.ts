import type { Caller } from "./caller";
import type { KeyScope } from "./scopes";

/** The authenticated caller of a request or a WebSocket connection; `actor` is the key's name. */
export interface Principal extends Caller {
  scopes: ReadonlySet<KeyScope>;
  /** The key used; null when authentication is off. */
  keyId: number | null;
  /** True for the workspace created at first start, whose admins may create workspaces. */
  operator: boolean;
}

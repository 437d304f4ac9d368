import type { KeyScope } from "./scopes";

/** The authenticated caller of a request or a WebSocket connection. */
export interface Principal {
  workspaceId: number;
  /** The key's name; recorded as createdBy / actor. */
  actor: string;
  scopes: ReadonlySet<KeyScope>;
  /** The key used; null when authentication is off. */
  keyId: number | null;
  /** True for the workspace created at first start, whose admins may create workspaces. */
  operator: boolean;
}

/**
 * Who is calling, as services see it: the workspace a request acts in and the name recorded as
 * createdBy / actor. Established by authentication (see Principal), never taken from input.
 * Not to be confused with a key's scopes (KeyScope), which say what the caller may do.
 */
export interface Caller {
  workspaceId: number;
  /** Recorded as createdBy / actor. */
  actor: string;
}

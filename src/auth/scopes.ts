import { registerEnumType } from "type-graphql";

/** What a key may do (docs/design.md, "Workspaces and API keys"). */
export enum KeyScope {
  read = "read",
  deploy = "deploy",
  release = "release",
  admin = "admin",
}
registerEnumType(KeyScope, {
  name: "KeyScope",
  description:
    "read: queries and subscriptions; deploy: createVersion and settings; release: rollback and promote; admin: keys and everything. deploy and release include read.",
});

/** The scopes a key holding `granted` effectively has. */
export function effectiveScopes(granted: readonly KeyScope[]): Set<KeyScope> {
  const scopes = new Set(granted);
  if (scopes.has(KeyScope.admin)) return new Set(Object.values(KeyScope));
  if (scopes.has(KeyScope.deploy) || scopes.has(KeyScope.release)) scopes.add(KeyScope.read);
  return scopes;
}

export function parseScopes(stored: string): KeyScope[] {
  return stored.split(",").filter((s): s is KeyScope => (Object.values(KeyScope) as string[]).includes(s));
}

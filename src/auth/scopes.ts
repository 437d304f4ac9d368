import { schemaEnum } from "../schema/enum";

/**
 * What a key may do (docs/design.md, "Workspaces and API keys"). The schema names them in upper
 * case like every other enum; the values are how keys store them and how the CLI spells them.
 */
export const KeyScope = schemaEnum("KeyScope", "What an API key may do. DEPLOY and RELEASE include READ; ADMIN includes all.", {
  READ: { value: "read", description: "Queries and subscriptions." },
  DEPLOY: { value: "deploy", description: "createVersion and updateDeploymentSettings, plus READ." },
  RELEASE: { value: "release", description: "rollback, promote, pinLive, unpinLive and flagVersion, plus READ." },
  ADMIN: { value: "admin", description: "API keys, workspaces, webhooks, archiving, deleting and retention, plus every other scope." },
});
export type KeyScope = (typeof KeyScope)[keyof typeof KeyScope];

/** The scopes a key holding `granted` effectively has. */
export function effectiveScopes(granted: readonly KeyScope[]): Set<KeyScope> {
  const scopes = new Set(granted);
  if (scopes.has(KeyScope.ADMIN)) return new Set(Object.values(KeyScope));
  if (scopes.has(KeyScope.DEPLOY) || scopes.has(KeyScope.RELEASE)) scopes.add(KeyScope.READ);
  return scopes;
}

export function parseScopes(stored: string): KeyScope[] {
  return stored.split(",").filter((s): s is KeyScope => (Object.values(KeyScope) as string[]).includes(s));
}

import { registerEnumType } from "type-graphql";

/**
 * What a key may do (docs/design.md, "Workspaces and API keys"). The schema names them in upper
 * case like every other enum; the values are how keys store them and how the CLI spells them.
 */
export enum KeyScope {
  READ = "read",
  DEPLOY = "deploy",
  RELEASE = "release",
  ADMIN = "admin",
}
registerEnumType(KeyScope, {
  name: "KeyScope",
  description: "What an API key may do. DEPLOY and RELEASE include READ; ADMIN includes all.",
  valuesConfig: {
    READ: { description: "Queries and subscriptions." },
    DEPLOY: { description: "createVersion and updateDeploymentSettings, plus READ." },
    RELEASE: { description: "rollback, promote, pinLive, unpinLive and flagVersion, plus READ." },
    ADMIN: { description: "API keys, workspaces, webhooks, archiving, deleting and retention, plus every other scope." },
  },
});

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

import type { ApiKeyInfo, CreatedApiKey, CreatedWorkspace } from "../operations";
import { table } from "./text";

/**
 * What `keys` and `workspaces` print for people. The secret appears only in the two creation
 * outputs, alone on its line so it can be copied; everything else shows the key's prefix.
 */

const ONCE =
  "This is the only time the key is shown: store it now (e.g. in your CI system's secret store).\n" +
  "The server keeps only a hash of it; a lost key cannot be recovered, only revoked and replaced.\n";

/** The prefix as a visibly partial key, so nobody mistakes it for the secret. */
const partial = (prefix: string) => `${prefix}…`;

const summary = (key: ApiKeyInfo) => `"${key.name}" (id ${key.id}; scopes ${key.scopes.join(", ")}; prefix ${partial(key.prefix)})`;

/** `waymark keys create`: the new key, once. */
export function formatCreatedKey({ key, apiKey }: CreatedApiKey): string {
  return `Created API key ${summary(apiKey)}.\n\n  ${key}\n\n${ONCE}` + `Use it as WAYMARK_API_KEY; what it does is recorded as done by "${apiKey.name}".\n`;
}

/** `waymark workspaces create`: the new workspace and its first admin key, once. */
export function formatCreatedWorkspace({ name, key, apiKey }: CreatedWorkspace): string {
  return (
    `Created workspace "${name}" with its first admin key ${summary(apiKey)}.\n\n  ${key}\n\n${ONCE}` +
    "With it, the workspace's administrators create its other keys (`waymark keys create`).\n"
  );
}

/** `waymark keys list`: every key of the workspace, revoked ones included; never a secret. */
export function formatKeyList(keys: readonly ApiKeyInfo[]): string {
  if (keys.length === 0) return "No API keys in this workspace.\n";
  const revoked = keys.filter((k) => k.revokedAt !== null).length;
  const rows = keys.map((k) => [k.id, k.name, partial(k.prefix), k.scopes.join(","), k.createdAt, k.createdBy, k.revokedAt ?? "-"]);
  return (
    `${keys.length} API key(s) in this workspace${revoked > 0 ? `, ${revoked} revoked` : ""}:\n` +
    table([["ID", "NAME", "PREFIX", "SCOPES", "CREATED AT", "CREATED BY", "REVOKED AT"], ...rows])
  );
}

/** `waymark keys revoke`. */
export function formatRevoked(key: ApiKeyInfo): string {
  return `Revoked API key ${summary(key)} at ${key.revokedAt ?? "?"}: it no longer works, open subscriptions included.\n`;
}

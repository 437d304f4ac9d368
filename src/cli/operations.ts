/**
 * The GraphQL operations the CLI sends, as codegen typed them from src/client/cli-operations.graphql
 * (`npm run codegen`), and the shapes it reads back.
 */
import type {
  CliChangeFragment,
  CliDeploymentFragment,
  CliVersionDetailFragment,
  CliVersionRefFragment,
  WaymarkDeployMutation,
  WaymarkHistoryQuery,
} from "../client/generated";

export {
  WaymarkDeployDocument as CREATE_VERSION,
  WaymarkDeploymentDocument as DEPLOYMENT_BY_NAME,
  WaymarkVersionsNamedDocument as VERSIONS_NAMED,
  WaymarkHistoryDocument as HISTORY,
  WaymarkRollbackDocument as ROLLBACK,
  WaymarkPromoteDocument as PROMOTE,
  WaymarkCreateApiKeyDocument as CREATE_API_KEY,
  WaymarkApiKeysDocument as API_KEYS,
  WaymarkRevokeApiKeyDocument as REVOKE_API_KEY,
  WaymarkCreateWorkspaceDocument as CREATE_WORKSPACE,
  WaymarkAuditLogDocument as AUDIT_LOG,
} from "../client/generated";

/** Scopes as people type and read them on the command line; the API spells them in upper case. */
export const KEY_SCOPES = ["read", "deploy", "release", "admin"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];
export type ApiKeyScope = Uppercase<KeyScope>;

export const toApiScope = (scope: KeyScope): ApiKeyScope => scope.toUpperCase() as ApiKeyScope;

/** A key as the API answers it, with its scopes spelled as the CLI shows them. */
export const fromApiKey = <K extends { scopes: readonly string[] }>(key: K): K & { scopes: KeyScope[] } => ({
  ...key,
  scopes: key.scopes.map((s) => s.toLowerCase() as KeyScope),
});

/** A key as listed: never its secret. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: KeyScope[];
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  key: string;
  apiKey: ApiKeyInfo;
}

export interface CreatedWorkspace extends CreatedApiKey {
  name: string;
}

/** The API's CodePin is the shape the shared code-pin module computes. */
export type { CodePin } from "../version/code-pin";

/** The answers' shapes, as codegen typed them from the operations above. */
export type VersionRef = CliVersionRefFragment;
export type DeploymentSummary = CliDeploymentFragment;
export type VersionDetail = CliVersionDetailFragment;
export type LiveChange = CliChangeFragment;
export type CreateVersionPayload = WaymarkDeployMutation["createVersion"];
export type DeploymentHistory = NonNullable<WaymarkHistoryQuery["deploymentByName"]>;

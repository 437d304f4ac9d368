import type { SourceInfo } from "./source-info";
import type { CodePin } from "../version/code-pin";

/** The GraphQL operations the CLI sends (names as in schema.graphql) and the shapes it reads back. */

const VERSION_REF = "id number version";
const SOURCE_INFO = "sourceInfo { type version commitSha branch repository url message }";
const CODE_PIN = "codePin { commitSha repository imageDigest pinned warnings }";
const CHANGE = `id sequence kind actor reason at previousVersion { ${VERSION_REF} } liveVersion { ${VERSION_REF} }`;
const DEPLOYMENT = `id flowName name versionCount liveVersion { ${VERSION_REF} }`;

export const CREATE_VERSION = `mutation WaymarkDeploy($input: CreateVersionInput!) {
  createVersion(input: $input) {
    deployment { ${DEPLOYMENT} }
    version { ${VERSION_REF} isLive createdAt createdBy contentHash ${SOURCE_INFO} ${CODE_PIN} }
    change { ${CHANGE} }
    becameLive notLiveReason created warnings
  }
}`;

export const DEPLOYMENT_BY_NAME = `query WaymarkDeployment($flowName: String!, $name: String!) {
  deploymentByName(flowName: $flowName, name: $name) { ${DEPLOYMENT} }
}`;

/** At most 100 matches are listed; more than one is already ambiguous. */
export const VERSIONS_NAMED = `query WaymarkVersionsNamed($flowName: String!, $name: String!, $version: String!) {
  deploymentByName(flowName: $flowName, name: $name) {
    id versions(first: 100, filter: { version: $version }) { totalCount edges { node { ${VERSION_REF} isLive createdAt } } }
  }
}`;

export const HISTORY = `query WaymarkHistory($flowName: String!, $name: String!, $first: Int) {
  deploymentByName(flowName: $flowName, name: $name) {
    ${DEPLOYMENT} paused
    versions(first: $first) {
      totalCount
      edges { node { ${VERSION_REF} isLive createdAt createdBy ${SOURCE_INFO} ${CODE_PIN} } }
    }
    liveHistory(first: $first) { totalCount edges { node { ${CHANGE} } } }
  }
}`;

export const ROLLBACK = `mutation WaymarkRollback($input: RollbackInput!) { rollback(input: $input) { change { ${CHANGE} } } }`;
export const PROMOTE = `mutation WaymarkPromote($input: PromoteInput!) { promote(input: $input) { change { ${CHANGE} } } }`;

const API_KEY = "id name prefix scopes createdAt createdBy revokedAt";

/** Not idempotent: each call makes a new key. The secret (`key`) is in this answer only. */
export const CREATE_API_KEY = `mutation WaymarkCreateApiKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { ${API_KEY} } }
}`;

export const API_KEYS = `query WaymarkApiKeys { apiKeys { ${API_KEY} } }`;

/** Idempotent: revoking a revoked key answers it unchanged. */
export const REVOKE_API_KEY = `mutation WaymarkRevokeApiKey($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { ${API_KEY} } } }`;

/** Not idempotent: a repeat fails with "already exists", and the first answer's key would be lost. */
export const CREATE_WORKSPACE = `mutation WaymarkCreateWorkspace($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) { name key apiKey { ${API_KEY} } }
}`;

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

export interface VersionRef {
  id: string;
  number: number;
  version: string;
}

/** The API's CodePin is the shape the shared code-pin module computes. */
export type { CodePin } from "../version/code-pin";

export interface DeploymentSummary {
  id: string;
  flowName: string;
  name: string;
  versionCount: number;
  liveVersion: VersionRef | null;
}

export interface VersionDetail extends VersionRef {
  isLive: boolean;
  createdAt: string;
  createdBy: string;
  sourceInfo: SourceInfo | null;
  codePin: CodePin;
}

export interface LiveChange {
  id: string;
  sequence: number;
  kind: "CREATE" | "ROLLBACK" | "PROMOTE";
  actor: string;
  reason: string | null;
  at: string;
  previousVersion: VersionRef | null;
  liveVersion: VersionRef;
}

export interface CreateVersionPayload {
  deployment: DeploymentSummary;
  version: VersionDetail & { contentHash: string };
  change: LiveChange | null;
  becameLive: boolean;
  notLiveReason: "NOT_REQUESTED" | "PINNED" | null;
  /** False when --skip-unchanged found the live version's content: `version` is the live one. */
  created: boolean;
  warnings: string[];
}

export interface Connection<T> {
  totalCount: number;
  edges: Array<{ node: T }>;
}

export interface DeploymentHistory extends DeploymentSummary {
  paused: boolean;
  versions: Connection<VersionDetail>;
  liveHistory: Connection<LiveChange>;
}

export const AUDIT_LOG = `query WaymarkAuditLog($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id kind at actor deploymentId flowName deploymentName versionId details } }
  }
}`;

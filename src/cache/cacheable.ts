import { Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValueNode } from "graphql";
import { VERSIONED_PROPERTIES } from "../version/snapshot";

/**
 * Every field of the schema reachable from `Query.deployment` and `Query.deploymentByName`,
 * classified. A cacheable field is
 * a function of (deployment id, revision): of the deployment row, which every write increments
 * the revision of; of versions, which are immutable; and of the deployment's live log, appended
 * only by writes that increment the revision too. Anything else must be listed as uncacheable,
 * with the reason; a document selecting such a field (or any field added later and classified
 * neither way) is executed as usual, never cached, which is always safe. A test walks the
 * schema and fails on a reachable field classified neither way.
 */
export const CACHEABLE: Readonly<Record<string, readonly string[]>> = {
  // By name, the answer is keyed by the id a fresh read of the name finds (history-cache.ts).
  Query: ["deployment", "deploymentByName"],
  Deployment: [
    "id",
    "flowName",
    "name",
    "paused",
    "schedules",
    "concurrencyLimit",
    "concurrencyOptions",
    "versionCount",
    "createdAt",
    "updatedAt",
    "liveVersion",
    "versions",
    "liveHistory",
    "liveAt",
    "livePeriods",
    "archivedAt",
    "retention",
    "diff",
    "version",
    "pin",
  ],
  DeploymentPin: ["by", "at", "reason"],
  VersionDiff: ["from", "to", "identical", "changes", "sourceCompareUrl"],
  VersionChange: ["path", "op", "before", "after"],
  DeploymentVersionConnection: ["edges", "pageInfo", "totalCount"],
  DeploymentVersionEdge: ["cursor", "node"],
  LiveVersionChangeConnection: ["edges", "pageInfo", "totalCount"],
  LiveVersionChangeEdge: ["cursor", "node"],
  LivePeriodConnection: ["edges", "pageInfo", "totalCount"],
  LivePeriodEdge: ["cursor", "node"],
  LivePeriod: ["version", "from", "to", "startedBy", "endedBy", "startedByKind"],
  SettingChange: ["field", "before", "after"],
  DeploymentRetention: ["keepLast", "keepDays"],
  PageInfo: ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"],
  DeploymentVersion: [
    "id",
    "number",
    "version",
    ...VERSIONED_PROPERTIES,
    "sourceInfo",
    "contentHash",
    "createdAt",
    "createdBy",
    "isLive",
    "codePin",
    "deployment",
    "prunedAt",
    "flag",
  ],
  VersionFlag: ["status", "by", "at", "reason"],
  LiveVersionChange: [
    "id",
    "sequence",
    "kind",
    "actor",
    "reason",
    "at",
    "deployment",
    "previousVersion",
    "liveVersion",
    "settingsChanges",
    "diff",
    "createdVersion",
  ],
  SourceInfo: ["type", "version", "commitSha", "branch", "repository", "url", "message"],
  CodePin: ["commitSha", "repository", "imageDigest", "pinned", "warnings"],
};

/** Fields a cacheable read could meet that must never be answered from the cache, and why. */
export const UNCACHEABLE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Query: {
    deployments: "a list across deployments: no one revision covers it",
    deploymentVersion: "keyed by version id; cheap already (versions are immutable and kept in memory)",
    versionDiff: "keyed by version ids; versions are immutable and kept in memory",
    apiKeys: "keys change without any deployment's revision changing",
    viewer: "about the calling key and its workspace, not about any deployment",
    auditLog: "across deployments and keys: no one revision covers it",
    webhooks: "webhooks change without any deployment's revision changing",
    webhookDeliveries: "deliveries change as they are attempted, apart from any deployment write",
    lastLiveSequence: "moves with every change of any deployment of the workspace",
    node: "keyed by any type's id, not a deployment's",
    nodes: "a list of any types' ids: no one revision covers it",
  },
  Deployment: {
    viewerCanRollback: "depends on the caller's scopes, which answers shared by a workspace's keys do not",
    viewerCanPromote: "depends on the caller's scopes, which answers shared by a workspace's keys do not",
  },
};

const ALLOWED: Record<string, ReadonlySet<string>> = Object.fromEntries(Object.entries(CACHEABLE).map(([type, fields]) => [type, new Set(fields)]));

/** Where an argument of a cacheable read is: in its variables, or a literal. */
export type ArgumentSource = { variable: string } | { literal: string };

/** How a cacheable read names its deployment: `deployment(id:)`, or `deploymentByName(flowName:, name:)`. */
export type DeploymentIdSource = { id: ArgumentSource } | { flowName: ArgumentSource; name: ArgumentSource };

function argumentSource(value: ValueNode | undefined): ArgumentSource | null {
  if (value?.kind === Kind.VARIABLE) return { variable: value.name.value };
  if (value?.kind === Kind.STRING) return { literal: value.value };
  return null;
}

function rootDeploymentField(operation: OperationDefinitionNode): DeploymentIdSource | null {
  const fields = operation.selectionSet.selections;
  const field = fields[0];
  if (fields.length !== 1 || field?.kind !== Kind.FIELD || field.directives?.length) return null;
  const argument = (name: string) => argumentSource(field.arguments?.find((a) => a.name.value === name)?.value);
  if (field.name.value === "deployment") {
    const id = argument("id");
    return id && { id };
  }
  if (field.name.value !== "deploymentByName") return null;
  const [flowName, name] = [argument("flowName"), argument("name")];
  return flowName && name && { flowName, name };
}

/**
 * Where the deployment is named when `document` is a single query of exactly one root
 * `deployment(id:)` or `deploymentByName` field and selects only CACHEABLE fields (fragments
 * included); otherwise null.
 */
export function cacheableRead(schema: GraphQLSchema, document: DocumentNode): DeploymentIdSource | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation !== "query") return null;
  const source = rootDeploymentField(operations[0]!);
  if (!source) return null;
  const typeInfo = new TypeInfo(schema);
  let allowed = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType()?.name;
        const name = node.name.value;
        if (name === "__typename") return;
        if (!parent || !ALLOWED[parent]?.has(name)) allowed = false;
      },
    }),
  );
  return allowed ? source : null;
}

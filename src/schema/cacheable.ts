import { Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValueNode } from "graphql";

/**
 * Every field a cacheable history read may select, by parent type. Each one is a function of the
 * deployment row and of versions, which are immutable: so a cached answer is exact for as long as
 * the deployment row is unchanged. A field not listed here (liveHistory reads the log; any field
 * added later) makes the document uncacheable, which is always safe.
 */
const ALLOWED: Record<string, ReadonlySet<string>> = {
  Query: new Set(["deployment"]),
  Deployment: new Set(["id", "flowName", "name", "paused", "schedules", "concurrencyLimit", "concurrencyOptions", "versionCount", "createdAt", "updatedAt", "liveVersion", "versions"]),
  DeploymentVersionConnection: new Set(["edges", "pageInfo", "totalCount"]),
  DeploymentVersionEdge: new Set(["cursor", "node"]),
  PageInfo: new Set(["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]),
  DeploymentVersion: new Set([
    "id", "number", "version", "entrypoint", "description", "tags", "labels", "parameters", "parameterOpenapiSchema",
    "enforceParameterSchema", "workPoolName", "workQueueName", "jobVariables", "pullSteps", "sourceInfo", "contentHash",
    "createdAt", "createdBy", "isLive", "codePin", "deployment",
  ]),
  SourceInfo: new Set(["type", "version", "commitSha", "branch", "repository", "url", "message"]),
  CodePin: new Set(["commitSha", "repository", "imageDigest", "pinned", "warnings"]),
};

/** How to find the deployment id of a cacheable read in its variables, or as a literal. */
export type DeploymentIdSource = { variable: string } | { literal: string };

function idSource(value: ValueNode | undefined): DeploymentIdSource | null {
  if (value?.kind === Kind.VARIABLE) return { variable: value.name.value };
  if (value?.kind === Kind.STRING) return { literal: value.value };
  return null;
}

function rootDeploymentField(operation: OperationDefinitionNode): DeploymentIdSource | null {
  const fields = operation.selectionSet.selections;
  if (fields.length !== 1 || fields[0]!.kind !== Kind.FIELD || fields[0]!.name.value !== "deployment") return null;
  const field = fields[0]!;
  if (field.directives?.length) return null;
  return idSource(field.arguments?.find((a) => a.name.value === "id")?.value);
}

/**
 * The deployment id source when `document` is a single query of exactly one root `deployment(id:)`
 * field and selects only fields in ALLOWED (fragments included); otherwise null.
 */
export function cacheableRead(schema: GraphQLSchema, document: DocumentNode): DeploymentIdSource | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation !== "query") return null;
  const source = rootDeploymentField(operations[0]!);
  if (!source) return null;
  const typeInfo = new TypeInfo(schema);
  let allowed = true;
  visit(document, visitWithTypeInfo(typeInfo, {
    Field(node) {
      const parent = typeInfo.getParentType()?.name;
      const name = node.name.value;
      if (name === "__typename") return;
      if (!parent || !ALLOWED[parent]?.has(name)) allowed = false;
    },
  }));
  return allowed ? source : null;
}

/** One GraphQL error as the server sends it: `extensions.code` from its closed list. */
export interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A failed operation: the first error's code and message, and the rest for whoever needs them. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errors: GraphQLErrorBody[] = [],
  ) {
    super(message);
  }
}

export const GRAPHQL_PATH = "/graphql";

/** POSTs one operation to this server's /graphql with the key; resolves to `data` or throws ApiError. */
export async function gql<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("NETWORK", "The server cannot be reached.");
  }
  let body: { data?: T | null; errors?: GraphQLErrorBody[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError("HTTP_" + response.status, `The server answered ${response.status} without GraphQL.`);
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.extensions?.code ?? "UNKNOWN", first.message, body.errors);
  if (body.data == null) throw new ApiError("UNKNOWN", "The server answered without data.");
  return body.data;
}

export type Scope = "READ" | "DEPLOY" | "RELEASE" | "ADMIN";

export interface Viewer {
  keyName: string;
  scopes: Scope[];
  workspace: { id: string; name: string };
}

export const VIEWER = `query Viewer { viewer { keyName scopes workspace { id name } } }`;

export type SourceType = "GITHUB" | "GITLAB" | "BITBUCKET" | "AZURE_DEVOPS" | "GIT" | "SIMPLE";

export interface SourceInfo {
  type: SourceType | null;
  version: string | null;
  commitSha: string | null;
  branch: string | null;
  repository: string | null;
  url: string | null;
  message: string | null;
}

export interface VersionSummary {
  id: string;
  number: number;
  version: string;
  isLive: boolean;
  createdAt: string;
  createdBy: string;
  sourceInfo: SourceInfo | null;
  codePin: { pinned: boolean; warnings: string[] };
  flag: { status: "BAD" | "OK"; by: string; reason: string | null } | null;
}

export interface LiveChange {
  id: string;
  sequence: number;
  kind: "CREATE" | "ROLLBACK" | "PROMOTE" | "PIN" | "UNPIN";
  actor: string;
  reason: string | null;
  at: string;
  previousVersion: { id: string; number: number } | null;
  liveVersion: { id: string; number: number };
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  totalCount?: number;
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
}

export const SOURCE_FIELDS = `sourceInfo { type version commitSha branch repository url message }`;
export const CHANGE_FIELDS = `id sequence kind actor reason at previousVersion { id number } liveVersion { id number }`;

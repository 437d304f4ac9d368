import { Field, ID, Int, ObjectType } from "type-graphql";
import { JSONScalar } from "../schema/scalars";
import { encodeId } from "../ids";
import { SourceType } from "./source-type";
import type { VersionEntity } from "./version.entity";
import { Node } from "../node/node.type";

@ObjectType({ description: "The repository, branch and commit a version's code came from." })
export class SourceInfo {
  @Field(() => SourceType, { nullable: true, description: "The platform or tool that reported the source." })
  type!: SourceType | null;

  @Field(() => String, { nullable: true, description: "The version string the source reported." })
  version!: string | null;

  @Field(() => String, { nullable: true, description: "Full or abbreviated commit SHA." })
  commitSha!: string | null;

  @Field(() => String, { nullable: true, description: "Branch the version was built from." })
  branch!: string | null;

  @Field(() => String, { nullable: true, description: "Repository URL or name, credentials removed." })
  repository!: string | null;

  @Field(() => String, { nullable: true, description: "Link to the commit or build (http or https)." })
  url!: string | null;

  @Field(() => String, { nullable: true, description: "First line of the commit message." })
  message!: string | null;
}

@ObjectType({ description: "What exact code a version runs." })
export class CodePin {
  @Field(() => String, { nullable: true, description: "Commit a git_clone pull step checks out." })
  commitSha!: string | null;

  @Field(() => String, { nullable: true, description: "Repository a git_clone pull step clones, credentials removed." })
  repository!: string | null;

  @Field(() => String, { nullable: true, description: "sha256 digest of jobVariables.image." })
  imageDigest!: string | null;

  @Field(() => Boolean, { description: "True only when every code source is fixed by a full SHA or a digest." })
  pinned!: boolean;

  @Field(() => [String], { description: "Why the code is not pinned, one sentence each; empty when pinned." })
  warnings!: string[];
}

@ObjectType({ description: "An immutable snapshot of a deployment's versioned properties.", implements: Node })
export class DeploymentVersion implements Node {
  /** Row keys, for field resolvers; not part of the schema. */
  key!: number;
  deploymentKey!: number;

  @Field(() => ID, { description: "Opaque id (ver_…)." })
  id!: string;

  @Field(() => Int, { description: "1, 2, 3… per deployment; gapless, never reused." })
  number!: number;

  @Field(() => String, { description: "Human-readable name; not unique." })
  version!: string;

  @Field(() => String, { description: "Where the flow function is, e.g. flows/etl.py:main." })
  entrypoint!: string;

  @Field(() => String, { nullable: true, description: "Free text of the version." })
  description!: string | null;

  @Field(() => [String], { description: "Tags of the version." })
  tags!: string[];

  @Field(() => JSONScalar, { description: "JSON object of labels." })
  labels!: Record<string, unknown>;

  @Field(() => JSONScalar, { description: "JSON object: default parameters of flow runs." })
  parameters!: Record<string, unknown>;

  @Field(() => JSONScalar, { nullable: true, description: "JSON schema of the parameters, or null." })
  parameterOpenapiSchema!: unknown;

  @Field(() => Boolean, { description: "Whether runs are checked against parameterOpenapiSchema." })
  enforceParameterSchema!: boolean;

  @Field(() => String, { nullable: true, description: "Work pool the runs go to." })
  workPoolName!: string | null;

  @Field(() => String, { nullable: true, description: "Work queue within the work pool." })
  workQueueName!: string | null;

  @Field(() => JSONScalar, { description: "JSON object of job variables (e.g. image)." })
  jobVariables!: Record<string, unknown>;

  @Field(() => JSONScalar, { description: "JSON list of pull steps a worker runs before the flow." })
  pullSteps!: unknown[];

  @Field(() => SourceInfo, { nullable: true, description: "Null when the client reported no source." })
  sourceInfo!: SourceInfo | null;

  @Field(() => String, { description: "sha256 of the canonical versioned properties; equal configurations hash equally." })
  contentHash!: string;

  @Field(() => Date, { description: "When the version was created." })
  createdAt!: Date;

  @Field(() => String, { description: "Identity of the caller that created it." })
  createdBy!: string;

  @Field(() => Date, {
    nullable: true,
    description:
      "When retention removed this version's body; null while it is kept. A pruned version keeps its id, number, version, contentHash, sourceInfo, createdAt and createdBy; its other fields read as empty.",
  })
  prunedAt!: Date | null;
}

function sourceInfoOf(row: VersionEntity): SourceInfo | null {
  if (row.sourceType == null && row.sourceCommitSha == null && row.sourceRepository == null && row.sourceBranch == null) return null;
  return {
    type: row.sourceType as SourceType | null,
    version: row.sourceVersion,
    commitSha: row.sourceCommitSha,
    branch: row.sourceBranch,
    repository: row.sourceRepository,
    url: row.sourceUrl,
    message: row.sourceMessage,
  };
}

export function toVersion(row: VersionEntity): DeploymentVersion {
  const view = new DeploymentVersion();
  view.key = row.id;
  view.deploymentKey = row.deploymentId;
  view.id = encodeId("version", row.id);
  view.number = row.number;
  view.version = row.version;
  view.entrypoint = row.entrypoint;
  view.description = row.description;
  view.tags = row.tags;
  view.labels = row.labels;
  view.parameters = row.parameters;
  view.parameterOpenapiSchema = row.parameterOpenapiSchema;
  view.enforceParameterSchema = row.enforceParameterSchema;
  view.workPoolName = row.workPoolName;
  view.workQueueName = row.workQueueName;
  view.jobVariables = row.jobVariables;
  view.pullSteps = row.pullSteps;
  view.sourceInfo = sourceInfoOf(row);
  view.contentHash = row.contentHash;
  view.createdAt = row.createdAt;
  view.createdBy = row.createdBy;
  view.prunedAt = row.prunedAt ?? null;
  return view;
}

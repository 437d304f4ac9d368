import { Field, ObjectType } from "type-graphql";
import { schemaEnum } from "../schema/enum";
import { JSONScalar } from "../schema/scalars";
import type { VersionEntity } from "../version/version.entity";
import { VERSIONED_PROPERTIES } from "../version/snapshot";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { sourceCompareUrl } from "./compare-url";
import { jsonDiff } from "./json-diff";

export const DiffOp = schemaEnum("DiffOp", "How a value differs between two versions.", {
  ADD: "Present only in the newer side (`to`).",
  REMOVE: "Present only in the older side (`from`).",
  REPLACE: "Present in both with different values, or of different JSON types.",
});
export type DiffOp = (typeof DiffOp)[keyof typeof DiffOp];

@ObjectType({ description: "One difference between two versions' versioned properties." })
export class VersionChange {
  @Field(() => String, { description: "JSON Pointer (RFC 6901) into the versioned properties, e.g. /jobVariables/env/FOO; `~` is written ~0 and `/` is ~1." })
  path!: string;

  @Field(() => DiffOp, { description: "ADD, REMOVE or REPLACE." })
  op!: DiffOp;

  @Field(() => JSONScalar, { nullable: true, description: "The value in `from`; null for ADD." })
  before!: unknown;

  @Field(() => JSONScalar, { nullable: true, description: "The value in `to`; null for REMOVE." })
  after!: unknown;
}

@ObjectType({ description: "What differs between two versions. Only versioned properties are compared: deployment settings never appear." })
export class VersionDiff {
  @Field(() => DeploymentVersion, { description: "The version compared from." })
  from!: DeploymentVersion;

  @Field(() => DeploymentVersion, { description: "The version compared to." })
  to!: DeploymentVersion;

  @Field(() => Boolean, { description: "True when the two contentHashes are equal (then changes is empty)." })
  identical!: boolean;

  @Field(() => [VersionChange], { description: "Every difference, objects key by key and lists index by index, in document order." })
  changes!: VersionChange[];

  @Field(() => String, {
    nullable: true,
    description:
      "The host's page comparing the two commits, when both versions name a commit of the same repository on GitHub, GitLab, Bitbucket or Azure DevOps.",
  })
  sourceCompareUrl!: string | null;
}

const snapshotOfRow = (row: VersionEntity): Record<string, unknown> => Object.fromEntries(VERSIONED_PROPERTIES.map((key) => [key, row[key]]));

/** The differences from one version to another. */
export function versionDiffOf(from: VersionEntity, to: VersionEntity): VersionDiff {
  const identical = from.contentHash === to.contentHash;
  const changes = identical ? [] : jsonDiff(snapshotOfRow(from), snapshotOfRow(to));
  return {
    from: toVersion(from),
    to: toVersion(to),
    identical,
    changes: changes.map((c) => ({ path: c.path, op: c.op as DiffOp, before: c.before ?? null, after: c.after ?? null })),
    sourceCompareUrl: sourceCompareUrl(from, to),
  };
}

import { Field, ID, Int, ObjectType } from "type-graphql";
import { JSONScalar } from "../schema/scalars";
import { encodeId } from "../ids";
import type { DeploymentEntity } from "./deployment.entity";
import { Node } from "../node/node.type";

@ObjectType({ description: "A deployment: its non-versioned settings and a pointer to its live version.", implements: Node })
export class Deployment implements Node {
  /** Row keys, for field resolvers; not part of the schema. */
  key!: number;
  liveVersionKey!: number | null;

  @Field(() => ID, { description: "Opaque id (dep_…)." })
  id!: string;

  @Field(() => String, { description: "Name of the flow the deployment runs." })
  flowName!: string;

  @Field(() => String, { description: "Name of the deployment, unique per flow." })
  name!: string;

  @Field(() => Boolean, { description: "Not versioned: kept across rollback and promote." })
  paused!: boolean;

  @Field(() => JSONScalar, { description: "Not versioned: a JSON list." })
  schedules!: unknown[];

  @Field(() => Int, { nullable: true, description: "Not versioned." })
  concurrencyLimit!: number | null;

  @Field(() => JSONScalar, { nullable: true, description: "Not versioned." })
  concurrencyOptions!: Record<string, unknown> | null;

  @Field(() => Int, { description: "Number of versions created so far (the newest version's number)." })
  versionCount!: number;

  @Field(() => Date, { description: "When the first version was created." })
  createdAt!: Date;

  @Field(() => Date, { description: "When the deployment last changed: a new version, a move of the live pointer or new settings." })
  updatedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: "When it was archived; null unless archived. An archived deployment refuses new versions and moves (DEPLOYMENT_ARCHIVED).",
  })
  archivedAt!: Date | null;
}

@ObjectType({ description: "What updateDeploymentSettings changed." })
export class UpdateDeploymentSettingsPayload {
  @Field(() => Deployment, { description: "The deployment with its new settings." })
  deployment!: Deployment;
}

export function toDeployment(row: DeploymentEntity): Deployment {
  const view = new Deployment();
  view.key = row.id;
  view.liveVersionKey = row.liveVersionId;
  view.id = encodeId("deployment", row.id);
  view.flowName = row.flowName;
  view.name = row.name;
  view.paused = row.paused;
  view.schedules = row.schedules;
  view.concurrencyLimit = row.concurrencyLimit;
  view.concurrencyOptions = row.concurrencyOptions;
  view.versionCount = row.lastNumber;
  view.createdAt = row.createdAt;
  view.updatedAt = row.updatedAt;
  view.archivedAt = row.archivedAt;
  return view;
}

import { Field, ID, InputType, Int } from "type-graphql";
import { IsInt, Max, MaxLength, Min } from "class-validator";
import { JSONScalar } from "../schema/scalars";

/**
 * Non-versioned settings. A field left out is unchanged; an explicit null resets it to its
 * default (paused false, schedules [], no concurrency limit or options).
 */
@InputType({ description: "Non-versioned settings; each one left out stays as it is." })
export class DeploymentSettingsInput {
  @Field(() => Boolean, { nullable: true, description: "Pause or resume scheduled runs; left out: unchanged." })
  paused?: boolean | null;

  @Field(() => JSONScalar, { nullable: true, description: "A JSON list of schedules." })
  schedules?: unknown;

  @Field(() => Int, { nullable: true, description: "Runs at once; null for no limit; left out: unchanged." })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  concurrencyLimit?: number | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'A JSON object in Prefect\'s key style, as waymark deploy sends it, e.g. { collision_strategy: "ENQUEUE", grace_period_seconds: 60 }.',
  })
  concurrencyOptions?: unknown;
}

@InputType({ description: "A deployment and the settings to change; each one left out stays as it is." })
export class UpdateDeploymentSettingsInput extends DeploymentSettingsInput {
  @Field(() => ID, { description: "The deployment to change." })
  @MaxLength(40)
  deploymentId!: string;
}

@InputType({ description: "Narrows the deployments list; all given fields must match." })
export class DeploymentFilter {
  @Field(() => String, { nullable: true, description: "Exact flow name." })
  @MaxLength(200)
  flowName?: string | null;

  @Field(() => String, { nullable: true, description: "Part of the deployment name; ASCII letters match either case." })
  @MaxLength(200)
  nameContains?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Also list archived deployments (default false)." })
  includeArchived?: boolean | null;
}

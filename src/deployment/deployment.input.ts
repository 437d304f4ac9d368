import { Field, ID, InputType, Int } from "type-graphql";
import { IsInt, Max, MaxLength, Min } from "class-validator";
import { JSONScalar } from "../schema/scalars";

/**
 * Non-versioned settings. A field left out is unchanged; an explicit null resets it to its
 * default (paused false, schedules [], no concurrency limit or options).
 */
@InputType()
export class DeploymentSettingsInput {
  @Field(() => Boolean, { nullable: true })
  paused?: boolean | null;

  @Field(() => JSONScalar, { nullable: true, description: "A JSON list of schedules." })
  schedules?: unknown;

  @Field(() => Int, { nullable: true })
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

@InputType()
export class UpdateDeploymentSettingsInput extends DeploymentSettingsInput {
  @Field(() => ID)
  @MaxLength(40)
  deploymentId!: string;
}

@InputType()
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

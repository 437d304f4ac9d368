import { IsInt, Max, MaxLength, Min } from "class-validator";
import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Deployment } from "../deployment/deployment.type";

@ObjectType({
  description:
    "How long a deployment keeps its versions' bodies. A version is pruned only when it is outside every limit set; the live version and the one live before it are always kept.",
})
export class DeploymentRetention {
  @Field(() => Int, { nullable: true, description: "Keep the bodies of this many newest versions; null: no count limit." })
  keepLast!: number | null;

  @Field(() => Int, { nullable: true, description: "Keep the bodies of versions younger than this many days; null: no age limit." })
  keepDays!: number | null;
}

@InputType({ description: "A deployment's retention; both limits null keeps everything (the default)." })
export class SetDeploymentRetentionInput {
  @Field(() => ID, { description: "The deployment." })
  @MaxLength(40)
  deploymentId!: string;

  @Field(() => Int, { nullable: true, description: "Keep the bodies of this many newest versions (1–1,000,000); null: no count limit." })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  keepLast?: number | null;

  @Field(() => Int, { nullable: true, description: "Keep the bodies of versions younger than this many days (1–36,500); null: no age limit." })
  @IsInt()
  @Min(1)
  @Max(36_500)
  keepDays?: number | null;
}

@ObjectType({ description: "The deployment with its new retention." })
export class SetDeploymentRetentionPayload {
  @Field(() => Deployment, { description: "The deployment." })
  deployment!: Deployment;
}

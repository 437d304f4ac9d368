import { Field, ID, InputType, ObjectType } from "type-graphql";
import { MaxLength } from "class-validator";
import { Deployment } from "../deployment/deployment.type";
import { LiveVersionChange } from "../live/live-change.type";

@ObjectType({ description: "Who pinned a deployment's live version, when and why." })
export class DeploymentPin {
  @Field(() => String, { description: "Identity of the caller that pinned it." })
  by!: string;

  @Field(() => Date, { description: "When it was pinned." })
  at!: Date;

  @Field(() => String, { nullable: true, description: "Why, as given." })
  reason!: string | null;
}

@InputType({
  description:
    "Pin a deployment's live version: until unpinned, createVersion records versions without making them live, and rollback and promote need unpin: true.",
})
export class PinLiveInput {
  @Field(() => ID, { description: "The deployment." })
  @MaxLength(40)
  deploymentId!: string;

  @Field(() => String, { nullable: true, description: "Why; shown on Deployment.pin and recorded in the live history." })
  @MaxLength(1000)
  reason?: string | null;
}

@InputType({ description: "Lift a deployment's pin; the live version stays as it is." })
export class UnpinLiveInput {
  @Field(() => ID, { description: "The deployment." })
  @MaxLength(40)
  deploymentId!: string;

  @Field(() => String, { nullable: true, description: "Why; recorded in the live history." })
  @MaxLength(1000)
  reason?: string | null;
}

@ObjectType({ description: "The answer of pinLive and unpinLive." })
export class PinPayload {
  @Field(() => Deployment, { description: "The deployment as it is now; `pin` says whether it is pinned." })
  deployment!: Deployment;

  @Field(() => LiveVersionChange, {
    nullable: true,
    description: "The PIN or UNPIN entry appended; null when the deployment already was in that state (nothing written).",
  })
  change!: LiveVersionChange | null;
}

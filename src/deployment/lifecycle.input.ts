import { MaxLength } from "class-validator";
import { Field, ID, InputType, ObjectType } from "type-graphql";
import { Deployment } from "./deployment.type";

@InputType({ description: "Which deployment to archive or restore." })
export class DeploymentLifecycleInput {
  @Field(() => ID, { description: "The deployment." })
  @MaxLength(40)
  deploymentId!: string;

  @Field(() => String, { nullable: true, description: "Why, kept in the audit log." })
  @MaxLength(1000)
  reason?: string | null;
}

@InputType({ description: "Which deployment to delete for good, named twice so that a wrong id cannot delete it." })
export class DeleteDeploymentInput extends DeploymentLifecycleInput {
  @Field(() => String, { description: "Must equal the deployment's flow/name, e.g. etl/prod." })
  @MaxLength(401)
  confirmName!: string;
}

@ObjectType({ description: "The deployment after archiving." })
export class ArchiveDeploymentPayload {
  @Field(() => Deployment, { description: "The deployment, now archived." })
  deployment!: Deployment;
}

@ObjectType({ description: "The deployment after restoring." })
export class RestoreDeploymentPayload {
  @Field(() => Deployment, { description: "The deployment, no longer archived." })
  deployment!: Deployment;
}

@ObjectType({ description: "What was deleted. The deployment and its versions can no longer be read; the audit log keeps the entry." })
export class DeleteDeploymentPayload {
  @Field(() => ID, { description: "The id the deployment had." })
  deletedDeploymentId!: string;

  @Field(() => String, { description: "Its flow name, now free to use again." })
  flowName!: string;

  @Field(() => String, { description: "Its name, now free to use again (a new deployment starts at version 1)." })
  name!: string;
}

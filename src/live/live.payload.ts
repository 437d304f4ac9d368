import { Field, ObjectType } from "type-graphql";
import { Deployment } from "../deployment/deployment.type";
import { LiveVersionChange } from "./live-change.type";

@ObjectType({ description: "What a rollback did: the new entry of the live history and the deployment after it." })
export class RollbackPayload {
  @Field(() => LiveVersionChange, {
    description:
      "The ROLLBACK entry appended to the live history (on a retry with the same idempotency key: the first one; with dryRun: the entry it would append, id chg_0 and sequence 0, nothing written).",
  })
  change!: LiveVersionChange;

  @Field(() => Deployment, { description: "The deployment as it is now, its liveVersion and pin included (unchanged after a dry run)." })
  deployment!: Deployment;
}

@ObjectType({ description: "What a promote did: the new entry of the live history and the deployment after it." })
export class PromotePayload {
  @Field(() => LiveVersionChange, {
    description:
      "The PROMOTE entry appended to the live history (on a retry with the same idempotency key: the first one; with dryRun: the entry it would append, id chg_0 and sequence 0, nothing written).",
  })
  change!: LiveVersionChange;

  @Field(() => Deployment, { description: "The deployment as it is now, its liveVersion and pin included (unchanged after a dry run)." })
  deployment!: Deployment;
}

import { Field, ID, InputType, ObjectType } from "type-graphql";
import { schemaEnum } from "../schema/enum";
import { MaxLength } from "class-validator";
import { DeploymentVersion } from "../version/version.type";

export const FlagStatus = schemaEnum("FlagStatus", "What is known of a version's fitness.", {
  BAD: "Never this one again: default rollbacks skip it, moving to it needs force: true, and creating its content again warns.",
  OK: "Not flagged (or the BAD flag was lifted).",
});
export type FlagStatus = (typeof FlagStatus)[keyof typeof FlagStatus];

@ObjectType({ description: "A version's newest flag: who set it, when and why." })
export class VersionFlag {
  @Field(() => FlagStatus, { description: "BAD or OK." })
  status!: FlagStatus;

  @Field(() => String, { description: "Identity of the caller that set it." })
  by!: string;

  @Field(() => Date, { description: "When it was set." })
  at!: Date;

  @Field(() => String, { nullable: true, description: "Why, as given." })
  reason!: string | null;
}

@InputType({ description: "Flag a version BAD, or lift the flag with OK; each call is recorded with its actor and reason." })
export class FlagVersionInput {
  @Field(() => ID, { description: "The version." })
  @MaxLength(40)
  versionId!: string;

  @Field(() => FlagStatus, { description: "BAD or OK." })
  status!: FlagStatus;

  @Field(() => String, { nullable: true, description: "Why." })
  @MaxLength(1000)
  reason?: string | null;
}

@ObjectType({ description: "The answer of flagVersion." })
export class FlagVersionPayload {
  @Field(() => DeploymentVersion, { description: "The version flagged." })
  version!: DeploymentVersion;

  @Field(() => VersionFlag, { description: "The flag as recorded now." })
  flag!: VersionFlag;
}

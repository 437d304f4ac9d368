import { Field, ID, InputType, Int } from "type-graphql";
import { MaxLength } from "class-validator";

// Input types cannot be abstract in type-graphql, so PromoteInput inherits RollbackInput's fields.
@InputType({ description: "Make an older version live; without a target, the newest one older than the live one." })
export class RollbackInput {
  @Field(() => ID, { description: "The deployment whose live pointer moves." })
  @MaxLength(40)
  deploymentId!: string;

  @Field(() => ID, {
    nullable: true,
    description: "The target version; or name it by number, name, commitSha or previous (one of them); or none for the default.",
  })
  @MaxLength(40)
  versionId?: string | null;

  @Field(() => Int, { nullable: true, description: "The target version by number; or give versionId." })
  number?: number | null;

  @Field(() => String, { nullable: true, description: "The target by its exact version name; several versions so named is BAD_USER_INPUT listing them." })
  @MaxLength(200)
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The target by a prefix (7 to 64 hex characters) of its commit SHA; several matches is BAD_USER_INPUT listing them.",
  })
  @MaxLength(64)
  commitSha?: string | null;

  @Field(() => Int, { nullable: true, description: "The target n versions older than the live one (1: the one just before it), flagged or not." })
  previous?: number | null;

  @Field(() => String, { nullable: true, description: "Why; recorded in the live history." })
  @MaxLength(1000)
  reason?: string | null;

  @Field(() => ID, { nullable: true, description: "Compare-and-set: fail with LIVE_VERSION_CONFLICT unless this is live." })
  @MaxLength(40)
  expectedLiveVersionId?: string | null;

  @Field(() => String, { nullable: true, description: "A retry with the same key and input returns the first result and moves nothing." })
  @MaxLength(255)
  idempotencyKey?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "Run every check of the move (compare-and-set included) and answer with the change it would append (id chg_0, sequence 0; `diff` shows what would change), writing nothing and sending no event.",
  })
  dryRun?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Pin the version this move makes live (see pinLive); allowed while pinned. The move's one log entry is the ROLLBACK or PROMOTE.",
  })
  pin?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Move although the deployment is pinned, and lift the pin; without it a pinned deployment answers DEPLOYMENT_PINNED.",
  })
  unpin?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Move to the target even if it is flagged BAD; without it such a move answers VERSION_FLAGGED_BAD." })
  force?: boolean | null;
}

@InputType({ description: "Make a newer version live; without a target, the newest version of all." })
export class PromoteInput extends RollbackInput {}

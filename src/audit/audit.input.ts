import { ArrayMaxSize, MaxLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { AuditKind } from "./audit-kinds";

@InputType({ description: "Narrows the audit log; every field given must match." })
export class AuditLogFilter {
  @Field(() => ID, { nullable: true, description: "Entries of this deployment only (also once it is deleted)." })
  @MaxLength(40)
  deploymentId?: string | null;

  @Field(() => String, { nullable: true, description: "Entries of deployments of this flow only (exact name)." })
  @MaxLength(200)
  flowName?: string | null;

  @Field(() => String, { nullable: true, description: "Entries made with this key name only (exact)." })
  @MaxLength(200)
  actor?: string | null;

  @Field(() => [AuditKind], { nullable: true, description: "Entries of these kinds only." })
  @ArrayMaxSize(50)
  kinds?: AuditKind[] | null;

  @Field(() => Date, { nullable: true, description: "Entries at or after this instant." })
  after?: Date | null;

  @Field(() => Date, { nullable: true, description: "Entries strictly before this instant." })
  before?: Date | null;
}

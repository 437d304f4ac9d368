import { ArrayMaxSize, ArrayMinSize, IsUrl, Max, MaxLength, Min } from "class-validator";
import { Field, ID, InputType, Int } from "type-graphql";
import { LiveChangeKind } from "../live/live-change.type";
import { WebhookFormat } from "./webhook.types";

@InputType({ description: "A new webhook in the caller's workspace." })
export class CreateWebhookInput {
  @Field(() => String, { description: "https URL to POST to (plain http to loopback only when the server allows it)." })
  @MaxLength(2000)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ["http", "https"] })
  url!: string;

  @Field(() => [LiveChangeKind], { nullable: true, description: "The kinds of live change to deliver; default: every kind, kinds added later included." })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  events?: LiveChangeKind[] | null;

  @Field(() => ID, { nullable: true, description: "Only this deployment's changes." })
  deploymentId?: string | null;

  @Field(() => String, { nullable: true, description: "Only changes of this flow's deployments." })
  @MaxLength(200)
  flowName?: string | null;

  @Field(() => WebhookFormat, { nullable: true, description: "How the body is written; default JSON." })
  format?: WebhookFormat | null;

  @Field(() => String, { nullable: true, description: "What the webhook is for." })
  @MaxLength(500)
  description?: string | null;
}

@InputType({ description: "Changes to a webhook; fields left out are kept." })
export class UpdateWebhookInput {
  @Field(() => ID, { description: "The webhook to change." })
  id!: string;

  @Field(() => String, { nullable: true, description: "A new URL." })
  @MaxLength(2000)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ["http", "https"] })
  url?: string | null;

  @Field(() => [LiveChangeKind], { nullable: true, description: "The kinds of live change to deliver (not with allEvents)." })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  events?: LiveChangeKind[] | null;

  @Field(() => Boolean, { nullable: true, description: "true: every kind, kinds added later included (not with events)." })
  allEvents?: boolean | null;

  @Field(() => WebhookFormat, { nullable: true, description: "How the body is written." })
  format?: WebhookFormat | null;

  @Field(() => String, { nullable: true, description: "What the webhook is for." })
  @MaxLength(500)
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: "true: ACTIVE again (also after FAILING; held deliveries resume in order); false: DISABLED." })
  enabled?: boolean | null;
}

@InputType({ description: "The webhook to delete." })
export class DeleteWebhookInput {
  @Field(() => ID, { description: "The webhook's id." })
  id!: string;
}

@InputType({ description: "A new signing secret for a webhook." })
export class RotateWebhookSecretInput {
  @Field(() => ID, { description: "The webhook's id." })
  id!: string;

  @Field(() => Int, { nullable: true, description: "How long the old secret keeps signing too, in seconds; default 86400 (a day), 0 to stop it at once." })
  @Min(0)
  @Max(7 * 86400)
  gracePeriodSeconds?: number | null;
}

@InputType({ description: "A delivery to send again." })
export class RedeliverInput {
  @Field(() => ID, { description: "The delivery's id (Waymark-Delivery)." })
  deliveryId!: string;
}

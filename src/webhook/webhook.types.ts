import { Field, ID, Int, ObjectType } from "type-graphql";
import { schemaEnum } from "../schema/enum";
import { Node } from "../node/node.type";
import { LiveChangeKind } from "../live/live-change.type";
import { connectionType } from "../pagination";

export const WebhookFormat = schemaEnum("WebhookFormat", "How a delivery's body is written.", {
  JSON: "The live change as JSON, with the fields the liveVersionChanged subscription gives.",
  SLACK: "A Slack incoming-webhook message (a `text` field) saying who did what to which deployment.",
});
export type WebhookFormat = (typeof WebhookFormat)[keyof typeof WebhookFormat];

export const WebhookStatus = schemaEnum("WebhookStatus", "Whether a webhook receives deliveries.", {
  ACTIVE: "Receives a delivery for every matching live change.",
  FAILING:
    "A delivery failed for the whole retry window. Deliveries are held, not sent, until it is re-enabled (updateWebhook with enabled: true); then they resume in order.",
  DISABLED: "Turned off by an admin; changes made meanwhile are not delivered.",
});
export type WebhookStatus = (typeof WebhookStatus)[keyof typeof WebhookStatus];

export const WebhookDeliveryStatus = schemaEnum("WebhookDeliveryStatus", "Where a delivery stands.", {
  PENDING: "Not yet answered with 2xx; waiting for its turn or its next retry.",
  DELIVERED: "The receiver answered 2xx.",
  FAILED: "Given up: the receiver refused it (3xx, or 4xx other than 429), the URL was refused, or the retry window closed.",
});
export type WebhookDeliveryStatus = (typeof WebhookDeliveryStatus)[keyof typeof WebhookDeliveryStatus];

@ObjectType({ description: "An endpoint that receives a signed POST for each matching live change of the workspace.", implements: Node })
export class Webhook implements Node {
  @Field(() => ID, { description: "The webhook's id." })
  id!: string;

  @Field(() => String, { description: "Where deliveries are POSTed." })
  url!: string;

  @Field(() => [LiveChangeKind], { description: "The kinds of live change delivered." })
  events!: LiveChangeKind[];

  @Field(() => Boolean, { description: "Every kind is delivered, kinds added to the live history later included." })
  allEvents!: boolean;

  @Field(() => ID, { nullable: true, description: "Only this deployment's changes, when set." })
  deploymentId!: string | null;

  @Field(() => String, { nullable: true, description: "Only changes of deployments of this flow, when set." })
  flowName!: string | null;

  @Field(() => WebhookFormat, { description: "How the body is written." })
  format!: WebhookFormat;

  @Field(() => String, { description: "What the webhook is for." })
  description!: string;

  @Field(() => WebhookStatus, { description: "Whether it receives deliveries." })
  status!: WebhookStatus;

  @Field(() => Date, { nullable: true, description: "When it was marked FAILING." })
  failingSince!: Date | null;

  @Field(() => Date, { nullable: true, description: "Until when the secret replaced by the last rotation still signs deliveries." })
  previousSecretExpiresAt!: Date | null;

  @Field(() => Date, { description: "When it was created." })
  createdAt!: Date;

  @Field(() => String, { description: "Who created it." })
  createdBy!: string;
}

@ObjectType({ description: "One try at sending a delivery." })
export class WebhookAttempt {
  @Field(() => Date, { description: "When the attempt started." })
  at!: Date;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when no answer came." })
  statusCode!: number | null;

  @Field(() => Int, { description: "From sending to the answer (or the failure), in milliseconds." })
  durationMs!: number;

  @Field(() => String, { nullable: true, description: "Why it did not succeed: network error, timeout, status, or refusal of the URL." })
  error!: string | null;

  @Field(() => String, { nullable: true, description: "The start of the receiver's answer (at most 200 characters); the rest is never kept." })
  responseExcerpt!: string | null;
}

@ObjectType({ description: "One live change to be sent to one webhook, and its attempts.", implements: Node })
export class WebhookDelivery implements Node {
  /** Row key, for the attempts field. */
  key!: number;

  @Field(() => ID, { description: "Sent as the Waymark-Delivery header." })
  id!: string;

  @Field(() => ID, { description: "The live change delivered." })
  changeId!: string;

  @Field(() => LiveChangeKind, { description: "Sent as the Waymark-Event header." })
  event!: LiveChangeKind;

  @Field(() => Int, { description: "The change's sequence in the workspace." })
  sequence!: number;

  @Field(() => WebhookDeliveryStatus, { description: "Where the delivery stands." })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: "Attempts made so far." })
  attemptCount!: number;

  @Field(() => Date, { nullable: true, description: "When the next attempt is due, while PENDING." })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { description: "When the change was committed." })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: "When it was delivered or given up." })
  finishedAt!: Date | null;
}

export const WebhookConnection = connectionType("Webhook", Webhook, "webhooks");
export const WebhookDeliveryConnection = connectionType("WebhookDelivery", WebhookDelivery, "webhook deliveries");

@ObjectType({ description: "The webhook created, and its signing secret: store it now, it is never shown again." })
export class CreateWebhookPayload {
  @Field(() => Webhook, { description: "The new webhook." })
  webhook!: Webhook;

  @Field(() => String, { description: "The signing secret (whsec_…): the key of the HMAC in Waymark-Signature." })
  secret!: string;
}

@ObjectType({ description: "The webhook as it now is." })
export class UpdateWebhookPayload {
  @Field(() => Webhook, { description: "The updated webhook." })
  webhook!: Webhook;
}

@ObjectType({ description: "What was deleted." })
export class DeleteWebhookPayload {
  @Field(() => ID, { description: "The deleted webhook's id; its deliveries are deleted with it." })
  deletedWebhookId!: string;
}

@ObjectType({ description: "The new signing secret; the previous one keeps signing until previousSecretExpiresAt." })
export class RotateWebhookSecretPayload {
  @Field(() => Webhook, { description: "The webhook." })
  webhook!: Webhook;

  @Field(() => String, { description: "The new signing secret: store it now, it is never shown again." })
  secret!: string;
}

@ObjectType({ description: "The delivery, pending again." })
export class RedeliverPayload {
  @Field(() => WebhookDelivery, { description: "The delivery, due at once." })
  delivery!: WebhookDelivery;
}

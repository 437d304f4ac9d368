import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { BidirectionalPageArgs, type Connection } from "../pagination";
import type { Services } from "../services";
import { CreateWebhookInput, DeleteWebhookInput, RedeliverInput, RotateWebhookSecretInput, UpdateWebhookInput } from "./webhook.input";
import {
  CreateWebhookPayload,
  DeleteWebhookPayload,
  RedeliverPayload,
  RotateWebhookSecretPayload,
  UpdateWebhookPayload,
  Webhook,
  WebhookAttempt,
  WebhookConnection,
  WebhookDelivery,
  WebhookDeliveryConnection,
} from "./webhook.types";

/** Webhooks are workspace configuration that reaches outside: admin scope for reads and writes alike. */
@Resolver()
export class WebhookResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.ADMIN)
  @Query(() => WebhookConnection, { description: "The webhooks of the caller's workspace, oldest first." })
  webhooks(@Args(() => BidirectionalPageArgs) args: BidirectionalPageArgs, @Ctx() ctx: RequestContext): Promise<Connection<Webhook>> {
    return this.services.webhooks.list(ctx.principal!, args);
  }

  @Authorized(KeyScope.ADMIN)
  @Query(() => WebhookDeliveryConnection, { description: "A webhook's deliveries, newest first, each with its attempts." })
  webhookDeliveries(
    @Arg("webhookId", () => ID, { description: "The webhook's id." }) webhookId: string,
    @Args(() => BidirectionalPageArgs) args: BidirectionalPageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<WebhookDelivery>> {
    return this.services.webhooks.deliveries(ctx.principal!, webhookId, args);
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => CreateWebhookPayload, { description: "A new webhook; its signing secret is returned only here." })
  async createWebhook(
    @Arg("input", () => CreateWebhookInput, { description: "The webhook." }) input: CreateWebhookInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateWebhookPayload> {
    return this.services.webhooks.create(ctx.principal!, input);
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => UpdateWebhookPayload, { description: "Changes a webhook; also re-enables a FAILING one." })
  async updateWebhook(
    @Arg("input", () => UpdateWebhookInput, { description: "The changes." }) input: UpdateWebhookInput,
    @Ctx() ctx: RequestContext,
  ): Promise<UpdateWebhookPayload> {
    return { webhook: await this.services.webhooks.update(ctx.principal!, input) };
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => DeleteWebhookPayload, { description: "Deletes a webhook and its deliveries; nothing more is sent to it." })
  async deleteWebhook(
    @Arg("input", () => DeleteWebhookInput, { description: "The webhook." }) input: DeleteWebhookInput,
    @Ctx() ctx: RequestContext,
  ): Promise<DeleteWebhookPayload> {
    await this.services.webhooks.remove(ctx.principal!, input.id);
    return { deletedWebhookId: input.id };
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => RotateWebhookSecretPayload, { description: "A new signing secret, shown only here; the old one also signs during the grace period." })
  rotateWebhookSecret(
    @Arg("input", () => RotateWebhookSecretInput, { description: "The webhook and the grace period." }) input: RotateWebhookSecretInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RotateWebhookSecretPayload> {
    return this.services.webhooks.rotateSecret(ctx.principal!, input.id, input.gracePeriodSeconds);
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => RedeliverPayload, { description: "Sends a delivered or given-up delivery again, with a fresh retry window." })
  async redeliver(
    @Arg("input", () => RedeliverInput, { description: "The delivery." }) input: RedeliverInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RedeliverPayload> {
    return { delivery: await this.services.webhooks.redeliver(ctx.principal!, input.deliveryId) };
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => [WebhookAttempt], { description: "Every attempt, oldest first." })
  attempts(@Root() delivery: WebhookDelivery): Promise<WebhookAttempt[]> {
    return this.services.webhooks.attempts(delivery.key);
  }
}

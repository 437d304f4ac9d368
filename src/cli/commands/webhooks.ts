import { Option, type Command } from "commander";
import type { CliIo } from "../io";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { createOnce } from "./create-once";

import {
  type CliWebhookFragment as Webhook,
  type LiveChangeKind,
  type WebhookFormat,
  WaymarkCreateWebhookDocument as CREATE,
  WaymarkDeleteWebhookDocument as DELETE,
  WaymarkRedeliverDocument as REDELIVER,
  WaymarkWebhookDeliveriesDocument as DELIVERIES,
  WaymarkWebhooksDocument as LIST,
} from "../../client/generated";

interface CreateOptions extends ApiOptions {
  event?: string[];
  deployment?: string;
  flow?: string;
  format: string;
  description?: string;
}

const collect = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  ...value
    .split(",")
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean),
];

export function registerWebhooks(program: Command, io: CliIo): void {
  const webhooks = program.command("webhooks").description("signed HTTP notifications of live changes (needs an admin key)");
  const create = webhooks
    .command("create")
    .description("create a webhook and print its signing secret, once")
    .argument("<URL>", "https URL to POST each live change to")
    .option(
      "--event <kind>",
      "a kind of live change to send (create, rollback, promote, …); repeat or separate with commas; default: every kind, later ones included",
      collect,
    )
    .option("--deployment <id>", "only this deployment's changes (dep_…)")
    .option("--flow <name>", "only changes of this flow's deployments")
    .addOption(new Option("--format <format>", "body format").choices(["json", "slack"]).default("json"))
    .option("--description <text>", "what the webhook is for");
  withApiOptions(create).action((url: string, options: CreateOptions) => createWebhook(url, options, io));

  withApiOptions(webhooks.command("list").description("list the workspace's webhooks")).action((options: ApiOptions) => listWebhooks(options, io));

  const deliveries = webhooks
    .command("deliveries")
    .description("a webhook's latest deliveries and their attempts")
    .argument("<ID>", "the webhook's id (whk_…)")
    .option("--first <n>", "how many, newest first (default 20)", (v) => Number(v));
  withApiOptions(deliveries).action((id: string, options: ApiOptions & { first?: number }) => listDeliveries(id, options, io));

  const redeliver = webhooks.command("redeliver").description("send a delivery again").argument("<DELIVERY_ID>", "the delivery's id (whd_…)");
  withApiOptions(redeliver).action((id: string, options: ApiOptions) => redeliverOne(id, options, io));

  const remove = webhooks.command("delete").description("delete a webhook and its deliveries").argument("<ID>", "the webhook's id (whk_…)");
  withApiOptions(remove).action((id: string, options: ApiOptions) => deleteWebhook(id, options, io));
}

async function createWebhook(url: string, options: CreateOptions, io: CliIo): Promise<void> {
  const input = {
    url,
    // The server refuses an event or format it does not know, naming it (BAD_USER_INPUT).
    events: options.event?.length ? ([...new Set(options.event)] as LiveChangeKind[]) : null,
    deploymentId: options.deployment ?? null,
    flowName: options.flow ?? null,
    format: options.format.toUpperCase() as WebhookFormat,
    description: options.description ?? "",
  };
  const hint = "the webhook may have been created all the same: see `waymark webhooks list`, and delete a duplicate";
  const data = await createOnce(clientFrom(options, io), CREATE, { input }, hint);
  const { secret, webhook } = data.createWebhook;
  io.stdout(
    options.json ? toJson(data.createWebhook) : `Created webhook ${webhook.id} → ${webhook.url}\n\nSigning secret (shown only this once):\n\n    ${secret}\n\n`,
  );
}

async function listWebhooks(options: ApiOptions, io: CliIo): Promise<void> {
  const client = clientFrom(options, io);
  const all: Webhook[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { webhooks: { edges: Array<{ node: Webhook }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await client.request(LIST, {
      after,
    });
    all.push(...data.webhooks.edges.map((e) => e.node));
    if (!data.webhooks.pageInfo.hasNextPage) break;
    after = data.webhooks.pageInfo.endCursor;
  }
  if (options.json) return io.stdout(toJson({ webhooks: all }));
  if (all.length === 0) return io.stdout("No webhooks.\n");
  const filter = (w: Webhook) =>
    [w.flowName && `flow ${w.flowName}`, w.deploymentId && `deployment ${w.deploymentId}`].filter(Boolean).join(", ") || "all deployments";
  io.stdout(
    all
      .map(
        (w) =>
          `${w.id}  ${w.status.padEnd(8)}  ${w.format.padEnd(5)}  ${w.url}\n    ${w.allEvents ? "every kind" : w.events.join(", ")} · ${filter(w)}${w.description ? ` · ${w.description}` : ""}\n`,
      )
      .join(""),
  );
}

async function listDeliveries(id: string, options: ApiOptions & { first?: number }, io: CliIo): Promise<void> {
  const data = await clientFrom(options, io).request(DELIVERIES, {
    id,
    first: options.first ?? 20,
  });
  const deliveries = data.webhookDeliveries.edges.map((e) => e.node);
  if (options.json) return io.stdout(toJson({ deliveries }));
  if (deliveries.length === 0) return io.stdout("No deliveries yet.\n");
  io.stdout(
    deliveries
      .map((d) => {
        const head = `${d.id}  #${d.sequence} ${d.event.padEnd(8)} ${d.status}${d.nextAttemptAt ? ` (next try ${d.nextAttemptAt})` : ""}\n`;
        return head + d.attempts.map((a) => `    ${a.at}  ${a.statusCode ?? "---"}  ${a.durationMs} ms${a.error ? `  ${a.error}` : ""}\n`).join("");
      })
      .join(""),
  );
}

async function redeliverOne(id: string, options: ApiOptions, io: CliIo): Promise<void> {
  const data = await clientFrom(options, io).request(REDELIVER, {
    input: { deliveryId: id.trim() },
  });
  io.stdout(options.json ? toJson(data.redeliver) : `Delivery ${data.redeliver.delivery.id} is ${data.redeliver.delivery.status}.\n`);
}

async function deleteWebhook(id: string, options: ApiOptions, io: CliIo): Promise<void> {
  const data = await clientFrom(options, io).request(DELETE, { input: { id: id.trim() } });
  io.stdout(options.json ? toJson(data.deleteWebhook) : `Deleted webhook ${data.deleteWebhook.deletedWebhookId}.\n`);
}

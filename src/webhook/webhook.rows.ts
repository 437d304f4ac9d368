import { encodeId } from "../ids";
import { LiveChangeKind } from "../live/live-change.type";
import { ErrorCode, WaymarkError } from "../errors";
import { Webhook, WebhookAttempt, WebhookDelivery, type WebhookDeliveryStatus, type WebhookFormat, type WebhookStatus } from "./webhook.types";

type Row = Record<string, unknown>;

export const WEBHOOK_COLUMNS =
  "id, workspace_id, url, events, deployment_id, flow_name, format, description, status, failing_since, previous_secret_until, created_at, created_by";
export const DELIVERY_COLUMNS = "id, webhook_id, change_id, kind, sequence, status, attempts, next_attempt_at, created_at, finished_at";

const date = (value: unknown) => (value == null ? null : new Date(Number(value)));

/**
 * `events` is stored as ",CREATE,PROMOTE," so that the outbox statement can match a kind with
 * INSTR, or "*" for every kind, those added to the live history later included.
 */
export const eventsColumn = (events: readonly string[] | null | undefined) => (events ? `,${[...new Set(events)].join(",")},` : "*");

export function toWebhook(row: Row, now: Date): Webhook {
  const until = date(row.previous_secret_until);
  return Object.assign(new Webhook(), {
    id: encodeId("webhook", Number(row.id)),
    url: String(row.url),
    events: row.events === "*" ? Object.values(LiveChangeKind) : (String(row.events).split(",").filter(Boolean) as LiveChangeKind[]),
    allEvents: row.events === "*",
    deploymentId: row.deployment_id == null ? null : encodeId("deployment", Number(row.deployment_id)),
    flowName: (row.flow_name as string | null) ?? null,
    format: row.format as WebhookFormat,
    description: String(row.description),
    status: row.status as WebhookStatus,
    failingSince: date(row.failing_since),
    previousSecretExpiresAt: until && until > now ? until : null,
    createdAt: date(row.created_at)!,
    createdBy: String(row.created_by),
  });
}

export function toDelivery(row: Row): WebhookDelivery {
  const pending = row.status === "PENDING";
  return Object.assign(new WebhookDelivery(), {
    key: Number(row.id),
    id: encodeId("delivery", Number(row.id)),
    changeId: encodeId("change", Number(row.change_id)),
    event: row.kind as LiveChangeKind,
    sequence: Number(row.sequence),
    status: row.status as WebhookDeliveryStatus,
    attemptCount: Number(row.attempts),
    nextAttemptAt: pending ? date(row.next_attempt_at) : null,
    createdAt: date(row.created_at)!,
    finishedAt: date(row.finished_at),
  });
}

export function toAttempt(row: Row): WebhookAttempt {
  return Object.assign(new WebhookAttempt(), {
    at: date(row.at)!,
    statusCode: row.status_code == null ? null : Number(row.status_code),
    durationMs: Number(row.duration_ms),
    error: (row.error as string | null) ?? null,
    responseExcerpt: (row.response_excerpt as string | null) ?? null,
  });
}

export const webhookNotFound = (id: string) => new WaymarkError(ErrorCode.WEBHOOK_NOT_FOUND, `No webhook ${id} in this workspace`, { id });
export const deliveryNotFound = (id: string) => new WaymarkError(ErrorCode.WEBHOOK_NOT_FOUND, `No webhook delivery ${id} in this workspace`, { id });

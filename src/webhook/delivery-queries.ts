import { encodeId } from "../ids";

/** A due delivery with what sending it needs from its webhook. */
export interface DueDelivery {
  id: number;
  webhook_id: number;
  change_id: number;
  kind: string;
  attempts: number;
  window_start: number;
  url: string;
  format: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: number | null;
}

/**
 * Pending deliveries whose time has come and whose lease (if any) has expired, of active
 * webhooks, each the earliest pending one of its webhook and deployment: a later event waits
 * until the earlier one is delivered or given up.
 */
export const DUE_DELIVERIES = `
  SELECT d.id, d.webhook_id, d.change_id, d.kind, d.attempts, d.window_start, w.url, w.format, w.secret, w.previous_secret, w.previous_secret_until
  FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
  WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) AND w.status = 'ACTIVE'
    AND NOT EXISTS (SELECT 1 FROM webhook_delivery e WHERE e.webhook_id = d.webhook_id AND e.deployment_id = d.deployment_id
                    AND e.status = 'PENDING' AND e.sequence < d.sequence)
  ORDER BY d.next_attempt_at, d.id LIMIT ?`;

export function deliveryHeaders(delivery: Pick<DueDelivery, "id" | "kind">, signature: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "Waymark-Webhooks/1",
    "waymark-signature": signature,
    "waymark-delivery": encodeId("delivery", Number(delivery.id)),
    "waymark-event": delivery.kind,
  };
}

/** The outbox's size and the age of its oldest pending delivery, for metrics. */
export const QUEUE_STATS = "SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM webhook_delivery WHERE status = 'PENDING'";

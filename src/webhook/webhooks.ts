import { ConfigError } from "../config";
import type { Database } from "../db/database";
import type { Logger } from "../logger";
import type { ServerMetrics } from "../ops/metrics";
import { QUEUE_STATS } from "./delivery-queries";
import { DeliveryWorker } from "./delivery-worker";
import { SecretBox } from "./secret-box";
import { pinnedTransport, type Lookup, type Transport } from "./transport";
import type { WebhookConfig } from "./webhook-config";
import { WebhookService } from "./webhook.service";

export interface WebhookDeps {
  db: Database;
  config: WebhookConfig;
  now: () => Date;
  logger: Logger;
  metrics: ServerMetrics;
  transport?: Transport;
  lookup?: Lookup;
}

export interface Webhooks {
  service: WebhookService;
  worker: DeliveryWorker;
  stop(): Promise<void>;
}

/**
 * The webhook service and this instance's delivery worker, started when WAYMARK_SECRET_KEY is
 * set. Refuses to start when webhooks exist but the key is missing: their deliveries could not be
 * signed.
 */
export async function startWebhooks(deps: WebhookDeps): Promise<Webhooks> {
  const { db, config, now, logger, metrics } = deps;
  const box = config.secretKey ? new SecretBox(config.secretKey) : null;
  const counted = metrics.watchWebhooks(async () => {
    const [row] = await db.reads.rows<{ pending: number; oldest: number | null }>(QUEUE_STATS, []);
    const oldest = row?.oldest == null ? null : Number(row.oldest);
    return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (now().getTime() - oldest) / 1000) };
  });
  const transport = deps.transport ?? pinnedTransport(config, deps.lookup);
  const worker = new DeliveryWorker({ db, config, box, transport, now, logger, counted });
  const service = new WebhookService(db, config, box, now, deps.lookup, () => worker.nudge());
  if (!box && (await service.any())) {
    throw new ConfigError(
      "WAYMARK_SECRET_KEY",
      "webhooks exist in this database, and their signing secrets cannot be read without the key they were encrypted with",
    );
  }
  // A local commit that queued deliveries has the worker look at once (not at its next poll).
  const unlisten = db.store.queued.listen(() => worker.nudge());
  // Without the key this instance could not sign what it claimed: it would spend a delivery's
  // attempt on an error, and poll the store every second for nothing. Instances that hold the key
  // deliver what is committed here.
  if (box) worker.start();
  return {
    service,
    worker,
    stop: () => {
      unlisten();
      return worker.stop();
    },
  };
}

import { randomUUID } from "node:crypto";
import type { Database } from "../db/database";
import type { Logger } from "../logger";
import { readEvent, slackMessage } from "./delivery-body";
import { verdictOf, type Verdict } from "./retry";
import type { SecretBox } from "./secret-box";
import { signatureHeader } from "./signature";
import { RefusedTarget, type PostResponse, type Transport } from "./transport";
import type { WebhookConfig } from "./webhook-config";
import { DUE_DELIVERIES, deliveryHeaders, type DueDelivery } from "./delivery-queries";

export interface WorkerDeps {
  db: Database;
  config: WebhookConfig;
  box: SecretBox | null;
  transport: Transport;
  now: () => Date;
  logger: Logger;
  /** Hears each attempt's outcome (metrics). */
  counted?: (outcome: "delivered" | "retry" | "failed" | "refused") => void;
}

const BATCH = 20;
/** Attempts one instance has open at once; a receiver that hangs holds one of them until its timeout. */
const MAX_IN_FLIGHT = 100;

/**
 * Sends the outbox. Every instance that holds WAYMARK_SECRET_KEY runs one; a delivery is sent by
 * the instance that claims it (a compare-and-set on `claimed_by`/`lease_until`), and only the
 * earliest pending delivery of a webhook and deployment is ever due, so each deployment's events
 * arrive in sequence order. A lease outlives an attempt's timeout; only an instance that dies
 * mid-send leaves its delivery to be sent again once the lease has expired.
 */
export class DeliveryWorker {
  readonly instanceId = randomUUID();
  private stopped = false;
  private wake: (() => void) | null = null;
  private nudged = false;
  private running: Promise<void> | null = null;
  /** This instance's open attempts by delivery key: one whose lease ran out while recording is not claimed again here. */
  private readonly inFlight = new Map<number, Promise<void>>();

  constructor(private readonly deps: WorkerDeps) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Looks for due deliveries now (after a local commit) instead of at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await Promise.all(this.inFlight.values());
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let sent = 0;
      try {
        sent = await this.tick();
      } catch (error) {
        this.deps.logger.warn({ err: error }, "webhook delivery round failed");
      }
      if (sent === 0 && !this.nudged && !this.stopped) await this.sleep(this.deps.config.pollMs);
      this.nudged = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /**
   * One round: claims what is due and starts sending it; returns how many were started. The round
   * does not wait for the answers, so a receiver that hangs delays no other delivery; the end of an
   * attempt starts a new round (the next event of its webhook and deployment may be due then).
   */
  async tick(): Promise<number> {
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    if (room <= 0) return 0;
    const now = this.deps.now().getTime();
    const due = await this.deps.db.reads.rows<DueDelivery>(DUE_DELIVERIES, [now, now, Math.min(BATCH, room)]);
    let started = 0;
    for (const delivery of due) {
      const id = Number(delivery.id);
      if (this.inFlight.has(id) || !(await this.claim(id, now))) continue;
      const attempt: Promise<void> = this.send(delivery)
        .catch((error: unknown) => this.deps.logger.warn({ err: error, delivery: id }, "webhook delivery failed to be recorded"))
        .finally(() => {
          this.inFlight.delete(id);
          this.nudge();
        });
      this.inFlight.set(id, attempt);
      started++;
    }
    return started;
  }

  private async claim(id: number, now: number): Promise<boolean> {
    // Outlives the attempt (its timeout) and the recording of its outcome.
    const lease = now + this.deps.config.timeoutMs + 5_000;
    const { result } = await this.deps.db.store.write(async (tx) => ({
      result: await tx.run(
        "UPDATE webhook_delivery SET claimed_by = ?, lease_until = ? WHERE id = ? AND status = 'PENDING' AND (lease_until IS NULL OR lease_until < ?)",
        [this.instanceId, lease, id, now],
      ),
    }));
    return result.affected === 1;
  }

  private async send(delivery: DueDelivery): Promise<void> {
    const { now, transport, config } = this.deps;
    const started = now();
    let response: PostResponse | null = null;
    let error: string | null = null;
    let verdict: Verdict;
    try {
      const request = await this.requestOf(delivery, started).catch((failure: unknown) => {
        this.deps.logger.error({ err: failure, delivery: Number(delivery.id) }, "webhook delivery could not be prepared");
        throw new Error("internal error preparing the delivery (see the server log)");
      });
      response = await transport(request);
      verdict = verdictOf(response, {
        attempt: Number(delivery.attempts) + 1,
        baseMs: config.retryBaseMs,
        now: now(),
        windowEndsAt: Number(delivery.window_start) + config.retryWindowMs,
      });
      if (verdict.kind !== "delivered") error = `HTTP ${response.status}`;
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      verdict =
        caught instanceof RefusedTarget
          ? { kind: "give-up", exhausted: false }
          : verdictOf(null, {
              attempt: Number(delivery.attempts) + 1,
              baseMs: config.retryBaseMs,
              now: now(),
              windowEndsAt: Number(delivery.window_start) + config.retryWindowMs,
            });
      if (caught instanceof RefusedTarget) error = `refused: the URL ${error}`;
    }
    this.deps.counted?.(verdict.kind === "delivered" ? "delivered" : verdict.kind === "retry" ? "retry" : error?.startsWith("refused") ? "refused" : "failed");
    await this.record(delivery, started, response, error, verdict);
  }

  private async requestOf(delivery: DueDelivery, at: Date) {
    const { box } = this.deps;
    if (!box) throw new Error("WAYMARK_SECRET_KEY is not set: deliveries cannot be signed");
    const event = await readEvent(this.deps.db.reads, Number(delivery.change_id));
    if (!event) throw new Error(`change ${delivery.change_id} is missing`);
    const body = JSON.stringify(delivery.format === "SLACK" ? slackMessage(event) : event);
    const secrets = [box.open(delivery.secret)];
    if (delivery.previous_secret && Number(delivery.previous_secret_until) > at.getTime()) secrets.push(box.open(delivery.previous_secret));
    const headers = deliveryHeaders(delivery, signatureHeader(body, secrets, at));
    return { url: delivery.url, headers, body, timeoutMs: this.deps.config.timeoutMs };
  }

  private async record(delivery: DueDelivery, started: Date, response: PostResponse | null, error: string | null, verdict: Verdict): Promise<void> {
    const finished = this.deps.now().getTime();
    const id = Number(delivery.id);
    const status = verdict.kind === "delivered" ? "DELIVERED" : verdict.kind === "retry" ? "PENDING" : "FAILED";
    const next = verdict.kind === "retry" ? finished + verdict.delayMs : finished;
    await this.deps.db.store.write(async (tx) => {
      await tx.run("INSERT INTO webhook_attempt (delivery_id, at, status_code, duration_ms, error, response_excerpt) VALUES (?, ?, ?, ?, ?, ?)", [
        id,
        started.getTime(),
        response?.status ?? null,
        finished - started.getTime(),
        error?.slice(0, 500) ?? null,
        response?.excerpt || null,
      ]);
      await tx.run(
        `UPDATE webhook_delivery SET status = ?, attempts = attempts + 1, next_attempt_at = ?, claimed_by = NULL, lease_until = NULL,
         finished_at = ?, last_status_code = ?, last_error = ? WHERE id = ? AND claimed_by = ?`,
        [status, next, status === "PENDING" ? null : finished, response?.status ?? null, error?.slice(0, 500) ?? null, id, this.instanceId],
      );
      if (verdict.kind === "give-up" && verdict.exhausted) {
        await tx.run("UPDATE webhook SET status = 'FAILING', failing_since = ? WHERE id = ? AND status = 'ACTIVE'", [finished, Number(delivery.webhook_id)]);
      }
      return { result: null };
    });
  }
}

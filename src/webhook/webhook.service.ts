import type { Database } from "../db/database";
import { badInput } from "../errors";
import { decodeId } from "../ids";
import { connectionFrom, encodeCursor, pageOf, type Connection, type BidirectionalPageArgs } from "../pagination";
import { newSigningSecret, type SecretBox } from "./secret-box";
import { checkUrl, RefusedTarget, resolveTarget, type Lookup } from "./transport";
import type { WebhookConfig } from "./webhook-config";
import type { CreateWebhookInput, UpdateWebhookInput } from "./webhook.input";
import { DELIVERY_COLUMNS, WEBHOOK_COLUMNS, deliveryNotFound, eventsColumn, toAttempt, toDelivery, toWebhook, webhookNotFound } from "./webhook.rows";
import { WebhookConnection, WebhookDeliveryConnection, WebhookFormat, type Webhook, type WebhookAttempt, type WebhookDelivery } from "./webhook.types";

/** Who acts: the workspace everything is scoped to, and the name recorded as createdBy. */
export interface WebhookCaller {
  workspaceId: number;
  actor: string;
}

const DEFAULT_GRACE_SECONDS = 86_400;
const isIdKey = (key: unknown[]): key is [number] => key.length === 1 && Number.isSafeInteger(key[0]);

/** Webhook CRUD, delivery history and redelivery; every read and write is scoped to the caller's workspace. */
export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly config: WebhookConfig,
    private readonly box: SecretBox | null,
    private readonly now: () => Date,
    private readonly lookup?: Lookup,
    /** Told after a write that made a delivery due (the local worker looks at once). */
    private readonly nudge: () => void = () => undefined,
  ) {}

  async create(caller: WebhookCaller, input: CreateWebhookInput): Promise<{ webhook: Webhook; secret: string }> {
    const box = this.requireBox();
    await this.checkTarget(input.url);
    const deploymentId = input.deploymentId == null ? null : await this.deploymentKey(caller, input.deploymentId);
    const secret = newSigningSecret();
    const at = this.now().getTime();
    const { result: id } = await this.db.store.write(async (tx) => ({
      result: (
        await tx.run(
          `INSERT INTO webhook (workspace_id, url, events, deployment_id, flow_name, format, description, secret, status, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)`,
          [
            caller.workspaceId,
            input.url,
            eventsColumn(input.events),
            deploymentId,
            input.flowName ?? null,
            input.format ?? WebhookFormat.JSON,
            input.description ?? "",
            box.seal(secret),
            at,
            caller.actor,
          ],
        )
      ).insertId,
    }));
    return { webhook: (await this.find(caller, id))!, secret };
  }

  async update(caller: WebhookCaller, input: UpdateWebhookInput): Promise<Webhook> {
    const id = this.key(input.id);
    if (input.url != null) await this.checkTarget(input.url);
    const sets: Array<[string, unknown]> = [];
    if (input.url != null) sets.push(["url", input.url]);
    if (input.events != null && input.allEvents) throw badInput("Pass events or allEvents, not both");
    if (input.events != null) sets.push(["events", eventsColumn(input.events)]);
    if (input.allEvents) sets.push(["events", eventsColumn(null)]);
    if (input.format != null) sets.push(["format", input.format]);
    if (input.description != null) sets.push(["description", input.description]);
    if (input.enabled != null) sets.push(["status", input.enabled ? "ACTIVE" : "DISABLED"], ["failing_since", null]);
    if (sets.length > 0) {
      const { result } = await this.db.store.write(async (tx) => ({
        result: await tx.run(`UPDATE webhook SET ${sets.map(([c]) => `${c} = ?`).join(", ")} WHERE id = ? AND workspace_id = ?`, [
          ...sets.map(([, v]) => v),
          id,
          caller.workspaceId,
        ]),
      }));
      if (result.affected === 0) throw webhookNotFound(input.id);
      if (input.enabled) {
        // Held deliveries get a fresh retry window: the one they had may have closed while held.
        const at = this.now().getTime();
        await this.db.store.write(async (tx) => ({
          result: await tx.run(
            "UPDATE webhook_delivery SET window_start = ?, next_attempt_at = ? WHERE webhook_id = ? AND workspace_id = ? AND status = 'PENDING'",
            [at, at, id, caller.workspaceId],
          ),
        }));
        this.nudge();
      }
    }
    const webhook = await this.find(caller, id);
    if (!webhook) throw webhookNotFound(input.id);
    return webhook;
  }

  async remove(caller: WebhookCaller, publicId: string): Promise<void> {
    const id = this.key(publicId);
    const { result } = await this.db.store.write(async (tx) => {
      // Attempts and deliveries go with it (ON DELETE CASCADE); spelled out for stores that do not cascade.
      await tx.run("DELETE FROM webhook_attempt WHERE delivery_id IN (SELECT id FROM webhook_delivery WHERE webhook_id = ? AND workspace_id = ?)", [
        id,
        caller.workspaceId,
      ]);
      await tx.run("DELETE FROM webhook_delivery WHERE webhook_id = ? AND workspace_id = ?", [id, caller.workspaceId]);
      return { result: await tx.run("DELETE FROM webhook WHERE id = ? AND workspace_id = ?", [id, caller.workspaceId]) };
    });
    if (result.affected === 0) throw webhookNotFound(publicId);
  }

  async rotateSecret(caller: WebhookCaller, publicId: string, graceSeconds: number | null | undefined): Promise<{ webhook: Webhook; secret: string }> {
    const box = this.requireBox();
    const id = this.key(publicId);
    const secret = newSigningSecret();
    const until = this.now().getTime() + (graceSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    const { result } = await this.db.store.write(async (tx) => ({
      result: await tx.run("UPDATE webhook SET previous_secret = secret, previous_secret_until = ?, secret = ? WHERE id = ? AND workspace_id = ?", [
        until,
        box.seal(secret),
        id,
        caller.workspaceId,
      ]),
    }));
    if (result.affected === 0) throw webhookNotFound(publicId);
    return { webhook: (await this.find(caller, id))!, secret };
  }

  async list(caller: WebhookCaller, args: BidirectionalPageArgs): Promise<Connection<Webhook>> {
    const page = pageOf(args, "webhook", isIdKey);
    // Oldest first; a backward page reads towards the oldest from its cursor.
    const [from, order] =
      page.direction === "forward" ? [page.key?.[0] ?? 0, "id > ? ORDER BY id"] : [page.key?.[0] ?? Number.MAX_SAFE_INTEGER, "id < ? ORDER BY id DESC"];
    const rows = await this.db.reads.rows(`SELECT ${WEBHOOK_COLUMNS} FROM webhook WHERE workspace_id = ? AND ${order} LIMIT ?`, [
      caller.workspaceId,
      from,
      page.size + 1,
    ]);
    const now = this.now();
    return connectionFrom(
      WebhookConnection,
      page,
      rows,
      (row) => ({ cursor: encodeCursor("webhook", [Number(row.id)]), node: toWebhook(row, now) }),
      async () => page.key !== null,
      async () => this.count("SELECT COUNT(*) AS n FROM webhook WHERE workspace_id = ?", [caller.workspaceId]),
    );
  }

  async deliveries(caller: WebhookCaller, webhookId: string, args: BidirectionalPageArgs): Promise<Connection<WebhookDelivery>> {
    const id = this.key(webhookId);
    if (!(await this.find(caller, id))) throw webhookNotFound(webhookId);
    const page = pageOf(args, "delivery", isIdKey);
    // Newest first: the latest deliveries are the ones looked at. A backward page reads towards the newest.
    const [from, order] =
      page.direction === "forward" ? [page.key?.[0] ?? Number.MAX_SAFE_INTEGER, "id < ? ORDER BY id DESC"] : [page.key?.[0] ?? 0, "id > ? ORDER BY id"];
    const rows = await this.db.reads.rows(`SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery WHERE webhook_id = ? AND ${order} LIMIT ?`, [
      id,
      from,
      page.size + 1,
    ]);
    return connectionFrom(
      WebhookDeliveryConnection,
      page,
      rows,
      (row) => ({ cursor: encodeCursor("delivery", [Number(row.id)]), node: toDelivery(row) }),
      async () => page.key !== null,
      async () => this.count("SELECT COUNT(*) AS n FROM webhook_delivery WHERE webhook_id = ?", [id]),
    );
  }

  async attempts(deliveryKey: number): Promise<WebhookAttempt[]> {
    const rows = await this.db.reads.rows(
      "SELECT at, status_code, duration_ms, error, response_excerpt FROM webhook_attempt WHERE delivery_id = ? ORDER BY id",
      [deliveryKey],
    );
    return rows.map(toAttempt);
  }

  /** Makes a delivery due again at once, with a fresh retry window; its attempts so far are kept. */
  async redeliver(caller: WebhookCaller, deliveryId: string): Promise<WebhookDelivery> {
    const id = decodeId("delivery", deliveryId);
    if (id === null) throw deliveryNotFound(deliveryId);
    const at = this.now().getTime();
    const { result } = await this.db.store.write(async (tx) => ({
      result: await tx.run(
        `UPDATE webhook_delivery SET status = 'PENDING', next_attempt_at = ?, window_start = ?, finished_at = NULL, claimed_by = NULL, lease_until = NULL
         WHERE id = ? AND workspace_id = ? AND status <> 'PENDING'`,
        [at, at, id, caller.workspaceId],
      ),
    }));
    const [row] = await this.db.reads.rows(`SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery WHERE id = ? AND workspace_id = ?`, [id, caller.workspaceId]);
    if (!row) throw deliveryNotFound(deliveryId);
    if (result.affected > 0) this.nudge();
    return toDelivery(row);
  }

  /** Whether any webhook exists (the server refuses to start without a secret key then). */
  async any(): Promise<boolean> {
    return (await this.count("SELECT COUNT(*) AS n FROM webhook", [])) > 0;
  }

  /** A delivery of one of the caller's webhooks, or null. */
  async delivery(caller: Pick<WebhookCaller, "workspaceId">, id: number): Promise<WebhookDelivery | null> {
    const [row] = await this.db.reads.rows(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery WHERE id = ? AND webhook_id IN (SELECT id FROM webhook WHERE workspace_id = ?)`,
      [id, caller.workspaceId],
    );
    return row ? toDelivery(row) : null;
  }

  /** One of the caller's webhooks, or null. */
  async find(caller: Pick<WebhookCaller, "workspaceId">, id: number): Promise<Webhook | null> {
    const [row] = await this.db.reads.rows(`SELECT ${WEBHOOK_COLUMNS} FROM webhook WHERE id = ? AND workspace_id = ?`, [id, caller.workspaceId]);
    return row ? toWebhook(row, this.now()) : null;
  }

  private async count(sql: string, params: unknown[]): Promise<number> {
    const [row] = await this.db.reads.rows<{ n: number }>(sql, params);
    return Number(row?.n ?? 0);
  }

  private key(publicId: string): number {
    const id = decodeId("webhook", publicId);
    if (id === null) throw webhookNotFound(publicId);
    return id;
  }

  private async deploymentKey(caller: WebhookCaller, publicId: string): Promise<number> {
    const id = decodeId("deployment", publicId);
    const [row] = id === null ? [] : await this.db.reads.rows("SELECT id FROM deployment WHERE id = ? AND workspace_id = ?", [id, caller.workspaceId]);
    if (!row) throw badInput(`No deployment ${publicId} in this workspace`, { deploymentId: publicId });
    return id!;
  }

  private requireBox(): SecretBox {
    if (!this.box) throw badInput("Webhooks need the server to have WAYMARK_SECRET_KEY set (it encrypts their signing secrets)");
    return this.box;
  }

  /** Refuses at once what delivery would refuse; a name that does not resolve yet is accepted (checked again at each send). */
  private async checkTarget(url: string): Promise<void> {
    try {
      await resolveTarget(checkUrl(url, this.config), this.config, this.lookup).catch((error: unknown) => {
        if (error instanceof RefusedTarget) throw error;
      });
    } catch (error) {
      throw badInput(`The webhook URL ${(error as Error).message}`, { url });
    }
  }
}

import { ApiKeyEntity } from "../auth/api-key.entity";
import { toApiKey, type ApiKey } from "../auth/auth.types";
import { KeyScope } from "../auth/scopes";
import { AuditEntryEntity } from "../audit/audit-entry.entity";
import { toAuditEntry, type AuditEntry } from "../audit/audit.type";
import type { RequestContext } from "../context";
import { ofLiveDeployment } from "../loaders";
import type { Database } from "../db/database";
import { toDeployment, type Deployment } from "../deployment/deployment.type";
import { decodeId, type IdKind } from "../ids";
import { LiveChangeEntity } from "../live/live-change.entity";
import { toLiveChange, type LiveVersionChange } from "../live/live-change.type";
import { toVersion, type DeploymentVersion } from "../version/version.type";
import type { WebhookService } from "../webhook/webhook.service";
import type { Webhook, WebhookDelivery } from "../webhook/webhook.types";

export type NodeValue = Deployment | DeploymentVersion | LiveVersionChange | ApiKey | AuditEntry | Webhook | WebhookDelivery;

type Lookup = (key: number, ctx: RequestContext) => Promise<NodeValue | null | undefined>;

/**
 * Any object by its id, confined to the caller's workspace: an id of another workspace, a
 * malformed one, or an id whose list needs the admin scope (keys, webhooks, deliveries) asked
 * for without it all answer null, exactly like an id that does not exist.
 */
export class NodeService {
  private readonly lookups: ReadonlyArray<[IdKind, KeyScope, Lookup]>;

  constructor(db: Database, webhooks: WebhookService) {
    const workspace = (ctx: RequestContext) => ctx.principal!.workspaceId;
    const mapped =
      <R, V>(to: (row: R) => V) =>
      (row: R | null | undefined) =>
        row ? to(row) : null;
    this.lookups = [
      ["deployment", KeyScope.READ, async (key, ctx) => mapped(toDeployment)(await ctx.loaders.deployment.load(key))],
      ["version", KeyScope.READ, async (key, ctx) => mapped(toVersion)(await ofLiveDeployment(ctx.loaders, await ctx.loaders.version.load(key)))],
      [
        "change",
        KeyScope.READ,
        async (key, ctx) =>
          mapped(toLiveChange)(
            await ofLiveDeployment(ctx.loaders, await db.reader.getRepository(LiveChangeEntity).findOneBy({ id: key, workspaceId: workspace(ctx) })),
          ),
      ],
      [
        "audit",
        KeyScope.READ,
        async (key, ctx) => mapped(toAuditEntry)(await db.reader.getRepository(AuditEntryEntity).findOneBy({ id: key, workspaceId: workspace(ctx) })),
      ],
      [
        "key",
        KeyScope.ADMIN,
        async (key, ctx) => mapped(toApiKey)(await db.reader.getRepository(ApiKeyEntity).findOneBy({ id: key, workspaceId: workspace(ctx) })),
      ],
      ["webhook", KeyScope.ADMIN, (key, ctx) => webhooks.find({ workspaceId: workspace(ctx) }, key)],
      ["delivery", KeyScope.ADMIN, (key, ctx) => webhooks.delivery({ workspaceId: workspace(ctx) }, key)],
    ];
  }

  async node(id: string, ctx: RequestContext): Promise<NodeValue | null> {
    for (const [kind, scope, lookup] of this.lookups) {
      const key = decodeId(kind, id);
      if (key === null) continue;
      return ctx.principal!.scopes.has(scope) ? ((await lookup(key, ctx)) ?? null) : null;
    }
    return null;
  }
}

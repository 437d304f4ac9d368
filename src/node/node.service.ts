import type { Principal } from "../auth/principal";
import { ApiKeyEntity } from "../auth/api-key.entity";
import { toApiKey, type ApiKey } from "../auth/auth.types";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import type { Database } from "../db/database";
import { toDeployment, type Deployment } from "../deployment/deployment.type";
import { decodeId } from "../ids";
import { LiveChangeEntity } from "../live/live-change.entity";
import { toLiveChange, type LiveVersionChange } from "../live/live-change.type";
import { toVersion, type DeploymentVersion } from "../version/version.type";

export type NodeValue = Deployment | DeploymentVersion | LiveVersionChange | ApiKey;

/**
 * Any object by its id, confined to the caller's workspace: an id of another workspace, a
 * malformed one, or a key's id asked for without the admin scope all answer null, exactly like
 * an id that does not exist.
 */
export class NodeService {
  constructor(private readonly db: Database) {}

  async node(id: string, ctx: RequestContext): Promise<NodeValue | null> {
    const principal = ctx.principal!;
    const deployment = decodeId("deployment", id);
    if (deployment !== null) return this.mapped(await ctx.loaders.deployment.load(deployment), toDeployment);
    const version = decodeId("version", id);
    if (version !== null) return this.mapped(await ctx.loaders.version.load(version), toVersion);
    const change = decodeId("change", id);
    if (change !== null)
      return this.mapped(await this.db.reader.getRepository(LiveChangeEntity).findOneBy({ id: change, workspaceId: principal.workspaceId }), toLiveChange);
    const key = decodeId("key", id);
    if (key !== null && principal.scopes.has(KeyScope.ADMIN)) return this.mapped(await this.key(principal, key), toApiKey);
    return null;
  }

  private key(principal: Principal, id: number): Promise<ApiKeyEntity | null> {
    return this.db.reader.getRepository(ApiKeyEntity).findOneBy({ id, workspaceId: principal.workspaceId });
  }

  private mapped<R, V>(row: R | null | undefined, to: (row: R) => V): V | null {
    return row ? to(row) : null;
  }
}

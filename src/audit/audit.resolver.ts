import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { Deployment, toDeployment } from "../deployment/deployment.type";
import { BidirectionalPageArgs, type Connection } from "../pagination";
import type { Services } from "../services";
import { auditLog } from "./audit-log";
import { AuditLogFilter } from "./audit.input";
import { AuditEntry, AuditEntryConnection } from "./audit.type";

@Resolver(() => AuditEntry)
export class AuditResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.READ)
  @Query(() => AuditEntryConnection, { description: "Every audited change across the workspace's deployments and keys, newest first." })
  auditLog(
    @Arg("filter", () => AuditLogFilter, { nullable: true, description: "Narrows the log; all given fields must match." }) filter: AuditLogFilter | null,
    @Args(() => BidirectionalPageArgs) args: BidirectionalPageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<AuditEntry>> {
    return auditLog(this.services.db, ctx.caller, filter, args);
  }

  @FieldResolver(() => Deployment, { nullable: true, description: "The deployment as it is now; null once deleted." })
  async deployment(@Root() entry: AuditEntry, @Ctx() ctx: RequestContext): Promise<Deployment | null> {
    const row = entry.deploymentKey === null ? null : await ctx.loaders.deployment.load(entry.deploymentKey);
    return row && toDeployment(row);
  }
}

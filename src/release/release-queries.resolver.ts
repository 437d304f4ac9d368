import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { Deployment } from "../deployment/deployment.type";
import { ErrorCode, WaymarkError } from "../errors";
import { decodeId } from "../ids";
import type { Services } from "../services";
import type { VersionEntity } from "../version/version.entity";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { ofLiveDeployment } from "../loaders";
import { versionKeyByNumber } from "./version-address";
import { VersionDiff, versionDiffOf } from "./version-diff";

/** Reads that compare and address versions. */
@Resolver(() => Deployment)
export class ReleaseQueriesResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.READ)
  @Query(() => VersionDiff, { description: "What differs between two versions of the caller's workspace; VERSION_NOT_FOUND when either is unknown." })
  async versionDiff(
    @Arg("fromId", () => ID, { description: "The version compared from (usually the older, or the live one)." }) fromId: string,
    @Arg("toId", () => ID, { description: "The version compared to." }) toId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<VersionDiff> {
    const [from, to] = await Promise.all([fromId, toId].map((id) => versionById(ctx, id)));
    return versionDiffOf(from!, to!);
  }

  @FieldResolver(() => VersionDiff, {
    description: "What differs between two of this deployment's versions, by number; VERSION_NOT_FOUND when either is unknown.",
  })
  async diff(
    @Root() deployment: Deployment,
    @Arg("from", () => Int, { description: "Number of the version compared from." }) from: number,
    @Arg("to", () => Int, { description: "Number of the version compared to." }) to: number,
    @Ctx() ctx: RequestContext,
  ): Promise<VersionDiff> {
    const [a, b] = await Promise.all([from, to].map((n) => this.byNumber(ctx, deployment.key, n)));
    if (!a || !b) throw new WaymarkError(ErrorCode.VERSION_NOT_FOUND, `This deployment has no version number ${a ? to : from}`);
    return versionDiffOf(a, b);
  }

  @FieldResolver(() => DeploymentVersion, { nullable: true, description: "The version with this number; null when there is none." })
  async version(
    @Root() deployment: Deployment,
    @Arg("number", () => Int, { description: "1, 2, 3… as numbered at creation." }) number: number,
    @Ctx() ctx: RequestContext,
  ): Promise<DeploymentVersion | null> {
    const row = await this.byNumber(ctx, deployment.key, number);
    return row && toVersion(row);
  }

  private async byNumber(ctx: RequestContext, deploymentKey: number, number: number): Promise<VersionEntity | null> {
    const key = await versionKeyByNumber(this.services.db.reads, deploymentKey, number);
    return key === null ? null : ctx.loaders.version.load(key);
  }
}

async function versionById(ctx: RequestContext, id: string): Promise<VersionEntity> {
  const key = decodeId("version", id);
  const row = key === null ? null : await ofLiveDeployment(ctx.loaders, await ctx.loaders.version.load(key));
  if (!row) throw new WaymarkError(ErrorCode.VERSION_NOT_FOUND, `No version "${id.slice(0, 100)}"`);
  return row;
}

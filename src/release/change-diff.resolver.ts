import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { LiveVersionChange } from "../live/live-change.type";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { VersionDiff, versionDiffOf } from "./version-diff";

@Resolver(() => LiveVersionChange)
export class ChangeDiffResolver {
  @FieldResolver(() => VersionDiff, {
    nullable: true,
    description:
      "What this change made live, compared with what was live before it (a dry run: what it would; VERSION_CREATED: what making the new version live would); null for a deployment's first version.",
  })
  async diff(@Root() change: LiveVersionChange, @Ctx() ctx: RequestContext): Promise<VersionDiff | null> {
    if (change.previousVersionKey === null) return null;
    const afterKey = change.createdVersionKey ?? change.liveVersionKey;
    const [before, after] = await Promise.all([ctx.loaders.version.load(change.previousVersionKey), ctx.loaders.version.load(afterKey)]);
    return before && after ? versionDiffOf(before, after) : null;
  }

  @FieldResolver(() => DeploymentVersion, {
    nullable: true,
    description: "VERSION_CREATED only: the version recorded without going live; null for every other kind.",
  })
  async createdVersion(@Root() change: LiveVersionChange, @Ctx() ctx: RequestContext): Promise<DeploymentVersion | null> {
    const row = change.createdVersionKey === null ? null : await ctx.loaders.version.load(change.createdVersionKey);
    return row && toVersion(row);
  }
}

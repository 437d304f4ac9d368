import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { LiveVersionChange } from "../live/live-change.type";
import { VersionDiff, versionDiffOf } from "./version-diff";

@Resolver(() => LiveVersionChange)
export class ChangeDiffResolver {
  @FieldResolver(() => VersionDiff, {
    nullable: true,
    description: "What this change made live, compared with what was live before it (a dry run: what it would); null for a deployment's first version.",
  })
  async diff(@Root() change: LiveVersionChange, @Ctx() ctx: RequestContext): Promise<VersionDiff | null> {
    if (change.previousVersionKey === null) return null;
    const [before, after] = await Promise.all([ctx.loaders.version.load(change.previousVersionKey), ctx.loaders.version.load(change.liveVersionKey)]);
    return before && after ? versionDiffOf(before, after) : null;
  }
}

import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import type { Services } from "../services";
import { DeploymentVersion, toVersion } from "../version/version.type";
import { flagOf } from "./flag.service";
import { FlagVersionInput, FlagVersionPayload, VersionFlag } from "./flag.types";

@Resolver(() => DeploymentVersion)
export class FlagResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.RELEASE)
  @Mutation(() => FlagVersionPayload, {
    description: "Flags a version BAD (default rollbacks skip it; moving to it needs force: true) or lifts the flag with OK.",
  })
  async flagVersion(
    @Arg("input", () => FlagVersionInput, { description: "The version and its flag." }) input: FlagVersionInput,
    @Ctx() ctx: RequestContext,
  ): Promise<FlagVersionPayload> {
    const { version, flag } = await this.services.flags.flag(ctx.caller, input);
    ctx.loaders.deployment.clear(version.deploymentId);
    return { version: toVersion(version), flag };
  }

  @FieldResolver(() => VersionFlag, { nullable: true, description: "The newest flag set on this version; null when it was never flagged." })
  flag(@Root() version: DeploymentVersion): Promise<VersionFlag | null> {
    return flagOf(this.services.db.reads, version.key);
  }
}

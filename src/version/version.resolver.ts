import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { decodeId } from "../ids";
import type { Services } from "../services";
import { Deployment, toDeployment } from "../deployment/deployment.type";
import { LiveVersionChange, toLiveChange } from "../live/live-change.type";
import { encodeCursor, type Edge } from "../pagination";
import { codePinOf } from "./code-pin";
import { DeploymentVersionConnection } from "./version-history";
import { CreateVersionInput } from "./version.input";
import { NotLiveReason } from "../release/release-enums";
import { CodePin, DeploymentVersion, toVersion } from "./version.type";

@ObjectType({ description: "What createVersion made (or, for a dry run, would make)." })
export class CreateVersionPayload {
  @Field(() => Deployment, { description: "The deployment as it is now (dry run: as it would be; a new one has the id dep_0)." })
  deployment!: Deployment;

  @Field(() => DeploymentVersion, { description: "The version created (dry run: the one that would be, with the id ver_0)." })
  version!: DeploymentVersion;

  @Field(() => LiveVersionChange, {
    nullable: true,
    description: "The CREATE entry that made the version live; null for a dry run and when it did not become live.",
  })
  change!: LiveVersionChange | null;

  @Field(() => Boolean, { description: "True when nothing was written (the input asked for a dry run)." })
  dryRun!: boolean;

  @Field(() => Boolean, { description: "True when the version is now live (dry run: would be); false when it was only recorded (see notLiveReason)." })
  becameLive!: boolean;

  @Field(() => NotLiveReason, { nullable: true, description: "Why the version did not become live; null when it did." })
  notLiveReason!: NotLiveReason | null;

  @Field(() => Boolean, {
    description: "False when ifUnchanged: SKIP found the live version's content: nothing was created and `version` is the live version.",
  })
  created!: boolean;

  @Field(() => [String], { description: "Things to know, e.g. that this content equals a version flagged BAD (naming it)." })
  warnings!: string[];
  @Field(() => DeploymentVersionConnection.Edge, {
    description:
      "The version as an edge of Deployment.versions, for clients that prepend it to a cached list (Relay @prependEdge, Apollo relayStylePagination).",
  })
  versionEdge!: Edge<DeploymentVersion>;
}

@Resolver(() => DeploymentVersion)
export class VersionResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.READ)
  @Query(() => DeploymentVersion, { nullable: true, description: "Null when no version has this id." })
  async deploymentVersion(
    @Arg("id", () => ID, { description: "A version id (ver_…)." }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DeploymentVersion | null> {
    const key = decodeId("version", id);
    const row = key === null ? null : await ctx.loaders.version.load(key);
    // Versions are cached for good; a deleted deployment's are gone all the same.
    if (!row || !(await ctx.loaders.deployment.load(row.deploymentId))) return null;
    return toVersion(row);
  }

  @FieldResolver(() => Boolean, {
    description: "True when this version is live now, not at the time of an event that returned it (a live change's previousVersion can be live again).",
  })
  async isLive(@Root() version: DeploymentVersion, @Ctx() ctx: RequestContext): Promise<boolean> {
    const deployment = await ctx.loaders.deployment.load(version.deploymentKey);
    return deployment?.liveVersionId === version.key;
  }

  @FieldResolver(() => Deployment, { description: "The deployment the version belongs to." })
  async deployment(@Root() version: DeploymentVersion, @Ctx() ctx: RequestContext): Promise<Deployment> {
    return toDeployment((await ctx.loaders.deployment.load(version.deploymentKey))!);
  }

  @FieldResolver(() => CodePin, { description: "What exact code this version runs, from its pull steps and image." })
  codePin(@Root() version: DeploymentVersion): CodePin {
    return codePinOf(version.pullSteps, version.jobVariables);
  }

  @Authorized(KeyScope.DEPLOY)
  @Mutation(() => CreateVersionPayload, { description: "Creates a version and makes it live." })
  async createVersion(
    @Arg("input", () => CreateVersionInput, { description: "The version's properties and where it goes." }) input: CreateVersionInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateVersionPayload> {
    const { deployment, version, change, dryRun, becameLive, notLiveReason, created, warnings } = await this.services.versions.create(ctx.caller, input);
    // A dry run's rows exist only in this answer: its fields resolve them from these loaders.
    ctx.loaders.deployment.clear(deployment.id).prime(deployment.id, deployment);
    if (dryRun && created) ctx.loaders.version.clear(version.id).prime(version.id, version);
    const node = toVersion(version);
    return {
      deployment: toDeployment(deployment),
      version: node,
      versionEdge: { cursor: encodeCursor("version", [version.number]), node },
      change: change && toLiveChange(change),
      dryRun,
      becameLive,
      notLiveReason,
      created,
      warnings,
    };
  }
}

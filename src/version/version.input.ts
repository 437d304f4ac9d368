import { Field, ID, InputType } from "type-graphql";
import { ArrayMaxSize, IsOptional, Matches, MaxLength, ValidateNested } from "class-validator";
import { JSONScalar } from "../schema/scalars";
import { DeploymentSettingsInput } from "../deployment/deployment.input";
import { SourceType } from "./source-type";
import { IfUnchanged, MakeLive } from "../release/release-enums";

@InputType({ description: "Where a version's code came from, as the client reports it." })
export class SourceInfoInput {
  @Field(() => SourceType, { nullable: true, description: "The platform or tool that reports the source." })
  type?: SourceType | null;

  @Field(() => String, { nullable: true, description: "The version string the source reports." })
  @MaxLength(200)
  version?: string | null;

  @Field(() => String, { nullable: true, description: "4 to 64 hex characters." })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{4,64}$/, { message: "sourceInfo.commitSha must be 4 to 64 hex characters" })
  commitSha?: string | null;

  @Field(() => String, { nullable: true, description: "Branch the version was built from." })
  @MaxLength(255)
  branch?: string | null;

  @Field(() => String, { nullable: true, description: "Repository URL or name; credentials are refused." })
  @MaxLength(500)
  repository?: string | null;

  @Field(() => String, { nullable: true, description: "http or https only." })
  @MaxLength(2000)
  url?: string | null;

  @Field(() => String, { nullable: true, description: "First line of the commit message; later lines are dropped." })
  @MaxLength(10_000)
  message?: string | null;
}

@InputType({ description: "A whole snapshot of the versioned properties; each one left out takes its default." })
export class CreateVersionInput {
  @Field(() => ID, { nullable: true, description: "An existing deployment; or give flowName and name." })
  @MaxLength(40)
  deploymentId?: string | null;

  @Field(() => String, { nullable: true, description: "With name: the deployment, created when absent." })
  @MaxLength(200)
  flowName?: string | null;

  @Field(() => String, { nullable: true, description: "With flowName: the deployment, created when absent." })
  @MaxLength(200)
  name?: string | null;

  @Field(() => String, { description: "e.g. flows/etl.py:main" })
  @MaxLength(1000)
  entrypoint!: string;

  @Field(() => String, { nullable: true, description: "Free text of the version." })
  @MaxLength(10_000)
  description?: string | null;

  @Field(() => [String], { nullable: true, description: "Default []." })
  @ArrayMaxSize(100)
  @MaxLength(200, { each: true })
  tags?: string[] | null;

  @Field(() => JSONScalar, { nullable: true, description: "JSON object; default {}." })
  labels?: unknown;

  @Field(() => JSONScalar, { nullable: true, description: "JSON object; default {}." })
  parameters?: unknown;

  @Field(() => JSONScalar, { nullable: true, description: "JSON object or null." })
  parameterOpenapiSchema?: unknown;

  @Field(() => Boolean, { nullable: true, description: "Default true." })
  enforceParameterSchema?: boolean | null;

  @Field(() => String, { nullable: true, description: "Work pool the runs go to." })
  @MaxLength(200)
  workPoolName?: string | null;

  @Field(() => String, { nullable: true, description: "Work queue within the work pool." })
  @MaxLength(200)
  workQueueName?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'JSON object; default {}. e.g. { image: "reg/img@sha256:…" }' })
  jobVariables?: unknown;

  @Field(() => JSONScalar, { nullable: true, description: "JSON list of pull steps; default []." })
  pullSteps?: unknown;

  @Field(() => [String], {
    nullable: true,
    description: "Environment variables whose {{ $NAME }} placeholders in pullSteps are kept on purpose, for the worker to resolve.",
  })
  @IsOptional()
  @ArrayMaxSize(100)
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,199}$/, { each: true })
  runtimeEnv?: string[] | null;

  @Field(() => String, { nullable: true, description: "Name; default: the commit's first 8 characters, else v<number>." })
  @MaxLength(200)
  version?: string | null;

  @Field(() => SourceInfoInput, { nullable: true, description: "Where the code came from; null when unknown." })
  @ValidateNested()
  sourceInfo?: SourceInfoInput | null;

  @Field(() => DeploymentSettingsInput, { nullable: true, description: "Applied to the deployment, never versioned." })
  @ValidateNested()
  settings?: DeploymentSettingsInput | null;

  @Field(() => String, { nullable: true, description: "A retry with the same key and input returns the first result." })
  @MaxLength(255)
  idempotencyKey?: string | null;

  @Field(() => ID, { nullable: true, description: "Compare-and-set: fail with LIVE_VERSION_CONFLICT unless this is live." })
  @MaxLength(40)
  expectedLiveVersionId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "Run every check and answer with the version this call would create, writing nothing and sending no event.",
  })
  dryRun?: boolean | null;

  @Field(() => MakeLive, {
    nullable: true,
    description:
      "AUTO (the default when absent or null): the version becomes live unless the deployment is pinned; NEVER: recorded only (a deployment's first version always becomes live).",
  })
  makeLive?: MakeLive | null;

  @Field(() => IfUnchanged, {
    nullable: true,
    description:
      "CREATE (the default when absent or null): always create. SKIP: when the content equals the live version's, create, log and publish nothing and answer with the live version (created: false); settings are still applied.",
  })
  ifUnchanged?: IfUnchanged | null;
}

@InputType({ description: "Narrows a version history; all given fields must match." })
export class VersionFilter {
  @Field(() => String, { nullable: true, description: "Exact branch." })
  @MaxLength(255)
  branch?: string | null;

  @Field(() => String, { nullable: true, description: "Commit SHA or a prefix of it, at least 4 hex characters." })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{4,64}$/, { message: "filter.commitSha must be 4 to 64 hex characters" })
  commitSha?: string | null;

  @Field(() => String, { nullable: true, description: "Exact version name." })
  @MaxLength(200)
  version?: string | null;
}

import type { Command } from "commander";
import { parseVariableFlags } from "../deploy/deploy-time";
import { readDeployFile } from "../deploy/read-file";
import { parseStepOutputFlags } from "../deploy/step-outputs";
import { dockerCommandOf, pinImages, prepareDeployments, spawnProcess } from "../deploy/steps";
import type { CreateVersionInputDraft, LoadedDeployment, LoadedFile } from "../deploy-file";
import { UsageError } from "../errors";
import { formatDeployed } from "../format/deploy";
import { NotLiveError, reportNotLive } from "../format/not-live";
import { idempotencyKeyFor } from "../idempotency";
import { gitOf, type CliIo } from "../io";
import type { CreateVersionPayload } from "../operations";
import { detectSourceInfo, type SourceInfo } from "../source-info";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { checkAll, sendCreate, type DeployInput } from "./deploy-check";

interface DeployOptions extends ApiOptions {
  /** The entrypoint argument. */
  entrypoint?: string;
  file: string;
  name?: string[];
  all?: boolean;
  flowName?: string;
  version?: string;
  versionType?: string;
  variable?: string[];
  strict?: boolean;
  skipBuild?: boolean;
  skipPush?: boolean;
  stepOutput?: string[];
  pinImages?: boolean;
  runtimeEnv?: string[];
  allowEmpty?: string[];
  /** False with --no-live. */
  live: boolean;
  requireLive?: boolean;
  skipUnchanged?: boolean;
  dryRun?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerDeploy(program: Command, io: CliIo): void {
  const command = program
    .command("deploy")
    .description("create a version of each deployment in a prefect.yaml-shaped file and make it live")
    .argument("[entrypoint]", "the flow (path/file.py:function) of the one deployment selected, over the file's, as prefect deploy ENTRYPOINT")
    .option("-f, --file <path>", "the deployment file", "prefect.yaml")
    .option("-n, --name <name>", "a deployment name or FLOW/NAME, * matching any text; repeat for several (default: all)", collect)
    .option("--all", "every deployment that has a name (the default), as prefect deploy --all")
    .option("--flow-name <flow>", "the flow name, over the file's flow_name and the entrypoint")
    .option("--version <name>", "the version name, over the file's version (default: commit SHA's first 8 characters, else v<number>)")
    .option(
      "--version-type <type>",
      "force the source-info type: github, gitlab, bitbucket, azure_devops, git, simple (or vcs:github…); over the file's version_type",
    )
    .option(
      "--variable <name=value>",
      "the value of {{ prefect.variables.NAME }} (or of a whole {{ prefect.blocks.… }} expression) in fields that must be concrete and in build and push step inputs; repeatable",
      collect,
    )
    .option("--strict", "fail on anything the file has that is not stored (keys, dropped placeholders, flow-name fallbacks) instead of warning")
    .option("--skip-build", "do not run the build steps (the pipeline did that work); feed their outputs with --step-output")
    .option("--skip-push", "do not run the push steps (the pipeline did that work); feed their outputs with --step-output")
    .option("--step-output <ID.KEY=VALUE>", "an output of a build or push step, e.g. build-image.image=reg/app:1.2; repeatable", collect)
    .option("--pin-images", "store each image pushed by a push step as name@sha256:digest, so its code is pinned")
    .option("--runtime-env <NAME>", "keep {{ $NAME }} in pull steps for the worker when NAME is not set here; repeatable", collect)
    .option("--allow-empty <NAME>", "let the variable NAME be empty; repeatable", collect)
    .option("--no-live", "record the versions without making them live (staged); `waymark promote` makes one live later")
    .option("--skip-unchanged", "create nothing for a deployment whose content equals its live version's (settings are still applied)")
    .option("--require-live", "exit 4 when a version was recorded but did not become live because its deployment is pinned")
    .option("--dry-run", "have the server check every deployment and print what each would create, creating nothing");
  withApiOptions(command).action((entrypoint: string | undefined, options: DeployOptions) => deploy({ ...options, entrypoint }, io));
}

async function deploy(options: DeployOptions, io: CliIo): Promise<void> {
  if (options.all && options.name?.length) throw new UsageError("--all deploys every deployment and --name some of them: give one of the two");
  const client = clientFrom(options, io);
  // Everything that can fail locally fails before the first request, so a bad file creates nothing.
  const file = await loadedFileOf(options, io);
  const sourceInfos = await sourceInfosOf(file.deployments, io, options.versionType !== undefined);
  if (!options.json && file.warnings.length > 0) io.stdout(file.warnings.map((w) => `warning: ${w}\n`).join(""));
  const inputs = file.deployments.map(({ draft, versionType }) => inputOf(withReleaseOptions(draft, options), sourceInfos.get(versionType ?? ""), io));
  // The server checks them all before the first is created: one refusal and none is.
  const checked = await checkAll(client, inputs, io);
  if (options.dryRun) return report(checked, file, options, io);
  const deployed: Array<CreateVersionPayload & { warnings: string[] }> = [];
  try {
    for (const [i, { warnings }] of file.deployments.entries()) {
      const payload = await sendCreate(client, inputs[i]!);
      deployed.push({ ...payload, warnings });
      if (!options.json) io.stdout(formatDeployed(payload) + warnings.map((w) => `  warning: ${w}\n`).join(""));
      reportNotLive(payload, io);
    }
  } finally {
    // On a failure part way, a script still learns which versions were created.
    if (options.json) io.stdout(toJson({ deployed, warnings: file.warnings }));
  }
  if (options.requireLive && deployed.some((d) => d.notLiveReason === "PINNED"))
    throw new NotLiveError("a deployment is pinned: its new version was recorded but is not live");
}

/** The source info for each forced type in use ("" for detected), all read before the first version is created. */
async function sourceInfosOf(deployments: LoadedDeployment[], io: CliIo, fromFlag: boolean): Promise<Map<string, SourceInfo>> {
  const infos = new Map<string, SourceInfo>();
  for (const type of new Set(deployments.map((d) => d.versionType ?? ""))) {
    try {
      infos.set(type, await detectSourceInfo(io.env, gitOf(io), type || undefined));
    } catch (error) {
      if (!(error instanceof UsageError) || fromFlag) throw error;
      throw new UsageError((error.message.split("\n")[0] ?? "").replace(/^--version-type /, "version_type "), error.problems);
    }
  }
  return infos;
}

/** The release options of the command line, sent with every deployment's input. */
function withReleaseOptions(draft: CreateVersionInputDraft, options: DeployOptions): CreateVersionInputDraft & { makeLive?: "NEVER"; ifUnchanged?: "SKIP" } {
  return { ...draft, ...(options.live ? {} : { makeLive: "NEVER" as const }), ...(options.skipUnchanged ? { ifUnchanged: "SKIP" as const } : {}) };
}

function inputOf(draft: CreateVersionInputDraft, sourceInfo: SourceInfo | undefined, io: CliIo): DeployInput {
  // One key per deployment, made before the first attempt (the server's check included), so every retry carries the same one.
  return { ref: `${draft.flowName}/${draft.name}`, input: { ...draft, sourceInfo, idempotencyKey: idempotencyKeyFor(io.env, draft) } };
}

/** --dry-run: what each deployment would get, as deploy prints what it did. */
function report(checked: CreateVersionPayload[], file: LoadedFile, options: DeployOptions, io: CliIo): void {
  const results = checked.map((payload, i) => ({ ...payload, warnings: file.deployments[i]?.warnings ?? [] }));
  if (options.json) return io.stdout(toJson({ dryRun: true, deployed: results, warnings: file.warnings }));
  io.stdout(results.map((r) => formatDeployed(r) + r.warnings.map((w) => `  warning: ${w}\n`).join("")).join(""));
  io.stdout("Dry run: nothing was created.\n");
}

/** Checks the file, runs its build and push steps, and reads every selected deployment with their outputs. */
async function loadedFileOf(options: DeployOptions, io: CliIo): Promise<LoadedFile> {
  const variables = parseVariableFlags(options.variable ?? []);
  const load = {
    env: io.env,
    names: options.name ?? [],
    entrypointOverride: options.entrypoint ?? null,
    flowNameOverride: options.flowName ?? null,
    versionOverride: options.version ?? null,
    versionTypeOverride: options.versionType ?? null,
    fileName: options.file,
    workingDirectory: io.cwd,
    variables,
    strict: options.strict ?? false,
    runtimeEnv: options.runtimeEnv ?? [],
    allowEmpty: options.allowEmpty ?? [],
  };
  const stepOptions = {
    env: io.env,
    skipBuild: options.skipBuild ?? false,
    skipPush: options.skipPush ?? false,
    stepOutputs: parseStepOutputFlags(options.stepOutput ?? []),
    allowEmpty: options.allowEmpty ?? [],
    variables,
  };
  const context = {
    env: io.env,
    cwd: io.cwd,
    run: io.processes ?? spawnProcess,
    log: (text: string) => io.stderr(text),
    now: () => new Date(),
    docker: dockerCommandOf(io.env),
    pushed: new Map<string, string>(),
  };
  const file = await prepareDeployments(readDeployFile(options.file, io.cwd), load, stepOptions, context);
  if (!options.pinImages) return file;
  const pinned = pinImages(
    file.deployments.map((d) => d.draft),
    context.pushed,
  );
  return { ...file, deployments: file.deployments.map((d, i) => ({ ...d, draft: pinned[i] ?? d.draft })) };
}

import type { Command } from "commander";
import type { ApiClient } from "../api-client";
import { ApiError } from "../errors";
import { formatDiff } from "../format/diff";
import type { CliIo } from "../io";
import { VERSION_BY_NUMBER, VERSION_DIFF } from "../release-operations";
import { parseDeploymentRef, parseTarget, type DeploymentRef } from "../refs";
import type { DeploymentSummary } from "../operations";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { findDeployment, notFound, versionIdNamed } from "./lookup";

export function registerDiff(program: Command, io: CliIo): void {
  const command = program
    .command("diff")
    .description("show what differs between two versions' versioned properties (never settings)")
    .argument("<FLOW/NAME>", "the deployment, e.g. my-flow/my-deployment")
    .argument("<A>", "the version compared from: a number, a version name, or `live`")
    .argument("<B>", "the version compared to: a number, a version name, or `live`");
  withApiOptions(command).action((ref: string, a: string, b: string, options: ApiOptions) => diff(ref, a, b, options, io));
}

async function diff(text: string, a: string, b: string, options: ApiOptions, io: CliIo): Promise<void> {
  const ref = parseDeploymentRef(text);
  const client = clientFrom(options, io);
  const deployment = await findDeployment(client, ref);
  const [fromId, toId] = [await versionIdOf(client, ref, deployment, a), await versionIdOf(client, ref, deployment, b)];
  const data = await client.request(VERSION_DIFF, { fromId, toId });
  io.stdout(options.json ? toJson(data.versionDiff) : formatDiff(data.versionDiff));
}

/** The id of the version a command-line word names: a number, a version name, or `live`. */
export async function versionIdOf(client: ApiClient, ref: DeploymentRef, deployment: DeploymentSummary, text: string): Promise<string> {
  if (text === "live") {
    if (!deployment.liveVersion) throw notFound(ref);
    return deployment.liveVersion.id;
  }
  const target = parseTarget(text);
  if ("versionName" in target) return versionIdNamed(client, ref, target.versionName);
  const data = await client.request(VERSION_BY_NUMBER, { ...ref, number: target.number });
  if (!data.deploymentByName) throw notFound(ref);
  if (!data.deploymentByName.version) throw new ApiError("VERSION_NOT_FOUND", `${ref.flowName}/${ref.name} has no version number ${target.number}`);
  return data.deploymentByName.version.id;
}

import type { Command } from "commander";
import { UsageError } from "../errors";
import type { CliIo } from "../io";
import { FLAG_VERSION } from "../release-operations";
import { parseDeploymentRef } from "../refs";
import { versionLabel } from "../format/text";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { findDeployment } from "./lookup";
import { versionIdOf } from "./diff";

interface FlagOptions extends ApiOptions {
  bad?: boolean;
  ok?: boolean;
  reason?: string;
}

export function registerFlag(program: Command, io: CliIo): void {
  const command = program
    .command("flag")
    .description("flag a version BAD (default rollbacks skip it; moving to it needs force) or lift the flag with --ok")
    .argument("<FLOW/NAME>", "the deployment, e.g. my-flow/my-deployment")
    .argument("<VERSION>", "a version number, a version name, or `live`")
    .option("--bad", "flag it BAD")
    .option("--ok", "lift the flag")
    .option("--reason <text>", "why; recorded with the flag");
  withApiOptions(command).action((ref: string, version: string, options: FlagOptions) => flag(ref, version, options, io));
}

async function flag(text: string, versionText: string, options: FlagOptions, io: CliIo): Promise<void> {
  if (options.bad === options.ok) throw new UsageError("give exactly one of --bad and --ok");
  const ref = parseDeploymentRef(text);
  const client = clientFrom(options, io);
  const deployment = await findDeployment(client, ref);
  const versionId = await versionIdOf(client, ref, deployment, versionText);
  const data = await client.request(FLAG_VERSION, { input: { versionId, status: options.bad ? "BAD" : "OK", reason: options.reason } });
  const { version, flag: set } = data.flagVersion;
  io.stdout(options.json ? toJson(data.flagVersion) : `${text}: ${versionLabel(version)} is flagged ${set.status} (by ${set.by})\n`);
}

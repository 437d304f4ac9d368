import type { Command } from "commander";
import type { CliIo } from "../io";
import { PIN_LIVE, UNPIN_LIVE } from "../release-operations";
import { parseDeploymentRef } from "../refs";
import { versionLabel } from "../format/text";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { findDeployment } from "./lookup";

interface PinOptions extends ApiOptions {
  reason?: string;
}

export function registerPin(program: Command, io: CliIo): void {
  for (const verb of ["pin", "unpin"] as const) {
    const command = program
      .command(verb)
      .description(
        verb === "pin" ? "pin the live version: deploys record versions without making them live until unpinned" : "lift the pin; the live version stays",
      )
      .argument("<FLOW/NAME>", "the deployment, e.g. my-flow/my-deployment")
      .option("--reason <text>", "why; recorded in the live history");
    withApiOptions(command).action((ref: string, options: PinOptions) => setPin(verb, ref, options, io));
  }
}

async function setPin(verb: "pin" | "unpin", text: string, options: PinOptions, io: CliIo): Promise<void> {
  const ref = parseDeploymentRef(text);
  const client = clientFrom(options, io);
  const deployment = await findDeployment(client, ref);
  const input = { deploymentId: deployment.id, reason: options.reason };
  const answer = verb === "pin" ? (await client.request(PIN_LIVE, { input })).pinLive : (await client.request(UNPIN_LIVE, { input })).unpinLive;
  if (options.json) return void io.stdout(toJson(answer));
  const live = versionLabel(answer.deployment.liveVersion);
  const state = answer.deployment.pin ? `pinned to ${live} by ${answer.deployment.pin.by}` : `not pinned; ${live} is live`;
  io.stdout(`${text}: ${state}${answer.change ? "" : " (unchanged)"}\n`);
}

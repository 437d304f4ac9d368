import { InvalidArgumentError, type Command } from "commander";
import { formatHistory } from "../format/history";
import type { CliIo } from "../io";
import { HISTORY } from "../operations";
import { parseDeploymentRef } from "../refs";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { notFound } from "./lookup";

interface HistoryOptions extends ApiOptions {
  first: number;
}

function pageSize(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("expected a whole number from 0 to 100");
  return Number(value);
}

export function registerHistory(program: Command, io: CliIo): void {
  const command = program
    .command("history")
    .description("list a deployment's versions and the moves of its live version, newest first")
    .argument("<FLOW/NAME>", "the deployment, e.g. my-flow/my-deployment")
    .option("--first <n>", "how many versions and live changes to show (0–100)", pageSize, 20);
  withApiOptions(command).action((ref: string, options: HistoryOptions) => history(ref, options, io));
}

async function history(text: string, options: HistoryOptions, io: CliIo): Promise<void> {
  const ref = parseDeploymentRef(text);
  const client = clientFrom(options, io);
  const data = await client.request(HISTORY, { ...ref, first: options.first });
  if (!data.deploymentByName) throw notFound(ref);
  io.stdout(options.json ? toJson(data.deploymentByName) : formatHistory(data.deploymentByName));
}

import type { Command } from "commander";
import { UsageError } from "../errors";
import { formatCreatedWorkspace } from "../format/keys";
import type { CliIo } from "../io";
import { CREATE_WORKSPACE, fromApiKey } from "../operations";
import { clientFrom, toJson, withApiOptions, type ApiOptions } from "./api-options";
import { createOnce } from "./create-once";

export function registerWorkspaces(program: Command, io: CliIo): void {
  const workspaces = program.command("workspaces").description("create workspaces (needs an admin key of the operator workspace)");
  const create = workspaces
    .command("create")
    .description("create an empty workspace and print its first admin key, once")
    .argument("<NAME>", "1–94 letters, digits, '.', '_' or '-'")
    .addHelpText(
      "after",
      "\nThe key is printed only here; with --json as {name, key, apiKey}. It is not retried after a network error that may have reached the server.",
    );
  withApiOptions(create).action((name: string, options: ApiOptions) => createWorkspace(name, options, io));
}

async function createWorkspace(name: string, options: ApiOptions, io: CliIo): Promise<void> {
  if (name.trim() === "") throw new UsageError("the workspace name must not be blank");
  const client = clientFrom(options, io);
  const hint =
    "the workspace may have been created all the same (not retried, as a repeat cannot return its key): " +
    "if running the command again answers that it already exists, its first admin key was lost";
  const data = await createOnce(client, CREATE_WORKSPACE, { input: { name } }, hint);
  const created = { ...data.createWorkspace, apiKey: fromApiKey(data.createWorkspace.apiKey) };
  io.stdout(options.json ? toJson(created) : formatCreatedWorkspace(created));
}

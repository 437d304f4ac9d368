import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { registerAudit } from "./commands/audit";
import { registerDeploy } from "./commands/deploy";
import { registerStore } from "./commands/store";
import { registerDiff } from "./commands/diff";
import { registerPin } from "./commands/pin";
import { registerFlag } from "./commands/flag";
import { registerHistory } from "./commands/history";
import { registerKeys } from "./commands/keys";
import { registerMove } from "./commands/move-live";
import { registerSourceInfo } from "./commands/source-info";
import { registerWebhooks } from "./commands/webhooks";
import { registerWorkspaces } from "./commands/workspaces";
import type { CliIo } from "./io";

/** The `waymark` command tree. It never exits the process: errors reach `run`, which picks the exit code. */
export function buildProgram(io: CliIo): Command {
  const program = new Command("waymark")
    .description("Waymark CLI: create deployment versions from CI, inspect their history, roll back and promote; manage API keys and webhooks")
    .version(packageVersion(), "-V, --version", "print the CLI's version")
    // Program options only before the command, so `deploy --version 1.2` is deploy's own option.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`waymark: ${text.replace(/^error: /, "")}`),
    });
  registerDeploy(program, io);
  registerSourceInfo(program, io);
  registerHistory(program, io);
  registerMove(program, io, "rollback");
  registerMove(program, io, "promote");
  registerDiff(program, io);
  registerPin(program, io);
  registerFlag(program, io);
  registerKeys(program, io);
  registerWebhooks(program, io);
  registerWorkspaces(program, io);
  registerAudit(program, io);
  registerStore(program, io);
  program.addHelpText(
    "after",
    "\nEnvironment: WAYMARK_API_URL (default http://127.0.0.1:4000/graphql), WAYMARK_API_KEY.\n" +
      "Exit codes: 0 ok, 1 unexpected or server unreachable, 2 usage, file or template error, 3 API error, 4 deploy --require-live recorded a version a pin kept from going live.",
  );
  return program;
}

/** From package.json, found upwards from here: the CLI runs both from dist/src/cli and from src/cli. */
function packageVersion(): string {
  for (let dir = __dirname, i = 0; i < 5; dir = dirname(dir), i++) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const { name, version } = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (name === "waymark" && version) return version;
  }
  return "unknown";
}

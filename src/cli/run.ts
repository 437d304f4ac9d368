import { CommanderError } from "commander";
import { ApiError, BadResponseError, ConnectionError, UsageError } from "./errors";
import { NotLiveError } from "./format/not-live";
import { oneLine } from "./format/text";
import type { CliIo } from "./io";
import { buildProgram } from "./program";

/** Exit codes and error output: docs/design.md, "Retries and exit codes" (4: a deploy that --require-live could not make live). */
export const EXIT = { OK: 0, UNEXPECTED: 1, USAGE: 2, API: 3, NOT_LIVE: 4 } as const;

/** Runs the CLI on `argv` (the arguments after the program name) and resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: "user" });
    return EXIT.OK;
  } catch (error) {
    return report(error, io);
  }
}

/** Expected failures get one line (a usage error also its list of problems) and never a stack trace. */
function report(error: unknown, io: CliIo): number {
  // Commander has already printed its message (or the help that was asked for).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (error instanceof UsageError) {
    io.stderr(`waymark: ${error.message}\n`);
    return EXIT.USAGE;
  }
  if (error instanceof NotLiveError) {
    io.stderr(`waymark: ${error.message}\n`);
    return EXIT.NOT_LIVE;
  }
  if (error instanceof ApiError) {
    io.stderr(`waymark: ${error.code}: ${oneLine(error.message)}\n`);
    return EXIT.API;
  }
  if (error instanceof ConnectionError || error instanceof BadResponseError) {
    io.stderr(`waymark: ${oneLine(error.message)}\n`);
    return EXIT.UNEXPECTED;
  }
  const detail = io.env.WAYMARK_DEBUG && error instanceof Error ? `\n${error.stack}` : " (set WAYMARK_DEBUG=1 for details)";
  io.stderr(`waymark: unexpected error: ${error instanceof Error ? error.message : String(error)}${detail}\n`);
  return EXIT.UNEXPECTED;
}

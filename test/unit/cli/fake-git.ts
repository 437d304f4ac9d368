import type { GitRunner } from "../../../src/cli/source-info";

/** No checkout at all: every git command fails. */
export const noGit: GitRunner = async () => null;

/** A checkout that knows the messages of some commits, and records every call. */
export function fakeGit(messages: Record<string, string>): GitRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const run = async (args: string[]) => {
    calls.push(args);
    const [command, , , sha] = args;
    return command === "log" && sha !== undefined ? (messages[sha] ?? null) : null;
  };
  return Object.assign(run, { calls });
}

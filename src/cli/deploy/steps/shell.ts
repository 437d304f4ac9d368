import { resolve } from "node:path";
import { StepArgs, StepFailure, type StepContext, type StepInputs } from "./context";
import { expandEnvVars, shellWords, usesShellFeatures } from "./shell-words";

export const SHELL_INPUTS: readonly string[] = ["script", "directory", "env", "stream_output", "expand_env_vars"];

/**
 * `prefect.deployments.steps.run_shell_script`, as Prefect runs it: each non-blank line is its own
 * process (so `cd` on one line does not carry to the next), in `directory`, with the environment plus
 * `env`; the first failing line fails the step. Outputs: all lines' `stdout` and `stderr`, trimmed.
 */
export async function runShellScript(inputs: StepInputs, context: StepContext): Promise<Record<string, unknown>> {
  const args = new StepArgs(inputs, SHELL_INPUTS);
  const script = args.string("script");
  const cwd = resolve(context.cwd, args.string("directory", "."));
  const env = { ...context.env, ...args.stringMap("env") };
  const stream = args.boolean("stream_output", true);
  const expand = args.boolean("expand_env_vars", false);
  let stdout = "";
  let stderr = "";
  for (const line of script.split(/\r\n|\r|\n/)) {
    const command = (expand ? expandEnvVars(line, env) : line).trim();
    if (command === "") continue;
    const argv = usesShellFeatures(command) ? ["sh", "-c", command] : wordsOf(command);
    const [program, ...rest] = argv;
    if (program === undefined) continue;
    const result = await context.run(program, rest, { cwd, env, ...(stream ? { echo: context.log } : {}) });
    stdout += result.stdout;
    stderr += result.stderr;
    if (result.failure && result.code === null) throw new StepFailure(`cannot run ${program} (${result.failure}), in: ${command}`);
    if (result.code !== 0) {
      throw new StepFailure(`\`run_shell_script\` failed with error code ${result.code ?? result.failure}: ${stderr.trim()}`);
    }
  }
  return { stdout: stdout.trim(), stderr: stderr.trim() };
}

function wordsOf(command: string): string[] {
  try {
    return shellWords(command);
  } catch (error) {
    throw new StepFailure((error as Error).message);
  }
}

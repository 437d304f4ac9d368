import { Option, type Command } from "commander";
import { UsageError } from "../errors";
import { gitOf, type CliIo } from "../io";
import { detectSourceInfo, formatSourceInfoEnv, formatSourceInfoGithubEnv, formatSourceInfoJson } from "../source-info";

const FORMATS = { json: formatSourceInfoJson, env: formatSourceInfoEnv, "github-env": formatSourceInfoGithubEnv } as const;
type Format = keyof typeof FORMATS;

interface SourceInfoOptions {
  format: Format;
  json?: boolean;
  versionType?: string;
}

const FORMAT_HELP = "json; env: WAYMARK_*='…' lines for a shell's eval; github-env: the same variables for >> \"$GITHUB_ENV\"";

export function registerSourceInfo(program: Command, io: CliIo): void {
  program
    .command("source-info")
    .description("print where the code being deployed comes from, as `deploy` would record it")
    .addOption(new Option("--format <format>", FORMAT_HELP).choices(Object.keys(FORMATS)).default("json"))
    .option("--json", "the same as --format json")
    .option("--version-type <type>", "force the source-info type: github, gitlab, bitbucket, azure_devops, git, simple (or vcs:github…)")
    .action((options: SourceInfoOptions) => sourceInfo(options, io));
}

async function sourceInfo(options: SourceInfoOptions, io: CliIo): Promise<void> {
  if (options.json && options.format !== "json") throw new UsageError(`--json and --format ${options.format} contradict each other`);
  const info = await detectSourceInfo(io.env, gitOf(io), options.versionType);
  io.stdout(FORMATS[options.format](info));
}

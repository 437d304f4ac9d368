import type { Command } from "commander";
import { ApiClient } from "../api-client";
import { apiKeyFrom, apiUrlFrom, DEFAULT_API_URL } from "../api-url";
import type { CliIo } from "../io";

export interface ApiOptions {
  apiUrl?: string;
  apiKey?: string;
  json?: boolean;
}

/** The options of every command that talks to the server. */
export function withApiOptions(command: Command): Command {
  return command
    .option("--api-url <url>", `the Waymark API, with or without /graphql (env WAYMARK_API_URL; default ${DEFAULT_API_URL})`)
    .option("--api-key <key>", "API key, sent as a Bearer token (env WAYMARK_API_KEY)")
    .option("--json", "print the result as JSON, for scripts");
}

export function clientFrom(options: ApiOptions, io: CliIo): ApiClient {
  return new ApiClient({
    url: apiUrlFrom(options.apiUrl, io.env),
    apiKey: apiKeyFrom(options.apiKey, io.env),
    fetch: io.fetch,
    sleep: io.sleep,
  });
}

/** Pretty JSON with a final newline: what `--json` prints. */
export const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

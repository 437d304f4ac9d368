import "reflect-metadata";
import { createApp } from "./app";
import { ConfigError, parseConfig } from "./config";
import { createLogger } from "./logger";

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`waymark: invalid configuration: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const app = await createApp({ config, logger });
  const url = await app.listen();
  if (app.generatedAdminKey) showOnce(app.generatedAdminKey);
  logger.info({ url, page: new URL("/", url).href, store: config.database.kind, auth: config.authOff ? "off" : "on" }, "waymark is listening");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // Draining waits for in-flight requests; a client that never finishes one must not keep the
    // process (and the orchestrator's deploy) waiting forever.
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out with clients still connected; exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/**
 * The first admin key goes to the terminal only, never into the structured log (which is
 * shipped and kept); it is not stored anywhere in plain text, so this is the one chance to copy it.
 */
function showOnce(key: string): void {
  process.stderr.write(
    `\nWaymark created the first workspace and an admin API key. It is shown only this once:\n\n    ${key}\n\n` +
      "Send it as 'Authorization: Bearer <key>'. Create narrower keys with the createApiKey mutation or 'waymark keys create'.\n\n",
  );
}

main().catch((error: unknown) => {
  console.error("waymark: failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});

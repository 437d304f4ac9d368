import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { Config } from "./config";
import type { RequestContext } from "./context";
import { openDatabase, type Database } from "./db/database";
import { createErrorFormatter } from "./errors";
import { graphqlHandler } from "./http/graphql-handler";
import { attachWebSocket } from "./http/websocket";
import { LiveFanout } from "./live/live-fanout";
import { liveLogOf } from "./live/live-log-reader";
import { LiveSubscriptions } from "./live/live-subscriptions";
import { createLoaders } from "./loaders";
import type { Logger } from "./logger";
import { buildWaymarkSchema } from "./schema/build";
import { createServices } from "./services";
import { DEFAULT_WORKSPACE, ensureWorkspace } from "./workspace/workspace.service";

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

export interface App {
  readonly server: Server;
  readonly db: Database;
  readonly live: LiveFanout;
  /** Starts listening; resolves with the GraphQL endpoint's URL. */
  listen(): Promise<string>;
  /** Stops taking requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

/** Builds the whole server without listening: migrate, schema, Apollo, HTTP routes. */
export async function createApp({ config, logger, now = () => new Date() }: AppDeps): Promise<App> {
  const db = await openDatabase(config.database);
  await db.migrate();
  const workspaceId = await ensureWorkspace(db, DEFAULT_WORKSPACE, now);
  const live = new LiveFanout(db, config.redisUrl, logger);
  live.start();
  const subscriptions = new LiveSubscriptions(db, live.hub, liveLogOf(db));
  const services = createServices(db, live, now);
  const schema = await buildWaymarkSchema(services);
  const formatError = createErrorFormatter(logger);
  const contextFor = async (requestId: string): Promise<RequestContext> => ({
    scope: { workspaceId, actor: "anonymous" }, loaders: createLoaders(db, workspaceId), requestId, subscriptions,
  });
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  const handle = graphqlHandler(apollo, {
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    context: (requestId) => contextFor(requestId),
  });
  let closing = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // While closing, a keep-alive connection is ended as soon as its response is out; otherwise
    // close() would wait for every client's idle timeout.
    res.once("finish", () => {
      if (closing) req.socket.end();
    });
    if (closing) res.setHeader("connection", "close");
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = url.pathname === "/graphql" ? handle(req, res, url) : Promise.resolve(void res.writeHead(404).end("Not found: the API is at /graphql\n"));
    route.catch((error: unknown) => {
      logger.error({ err: error }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
    });
  });
  server.keepAliveTimeout = 65_000;
  const sockets = attachWebSocket(server, {
    schema, formatError, maxPayloadBytes: config.maxBodyBytes, context: () => contextFor(randomUUID()),
  });

  return {
    server,
    db,
    live,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(":") ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}/graphql`);
        });
      }),
    async close() {
      closing = true;
      await sockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
      await live.stop();
      await db.close();
    },
  };
}

import "reflect-metadata";
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { cachedExecution } from "./cache/executor";
import { HistoryCache } from "./cache/history-cache";
import { AuthService } from "./auth/auth.service";
import { Authenticator, authorizationOf, clientAddressOf, type Authentication } from "./auth/authenticator";
import { FailedAuthLimiter, rateLimitedStatusPlugin } from "./auth/failed-auth-limiter";
import { KeyCache } from "./auth/key-cache";
import { KEY_TABLE_CHECK_MS, KeyTableWatch, keyTableStateOf } from "./auth/key-table-watch";
import { KeyRevocations } from "./auth/revocations";
import type { Config } from "./config";
import type { RequestContext } from "./context";
import { openDatabase, type Database } from "./db/database";
import { withDeadline } from "./db/read-gate";
import { createErrorFormatter } from "./http/error-mask";
import { graphqlHandler } from "./http/graphql-handler";
import { createHttpServer } from "./http/http-server";
import { attachWebSocket } from "./http/websocket";
import { hostRefusal, verifyUpgrade, type OriginPolicy } from "./http/origin";
import { LiveFanout } from "./live/live-fanout";
import { liveLogOf } from "./live/live-log-reader";
import { LiveSubscriptions } from "./live/live-subscriptions";
import { limitsBeforeValidation, queryLimitsPlugin } from "./limits/limits-plugin";
import { SchemaFacts } from "./limits/schema-facts";
import { QUERY_LIMITS } from "./limits/query-limits";
import { wellFormedInputPlugin } from "./limits/well-formed-input";
import { createLoaders } from "./loaders";
import { VersionCache } from "./version/version-cache";
import type { Logger } from "./logger";
import { RedisBus } from "./redis-bus";
import { buildWaymarkSchema } from "./schema/build";
import { createServices } from "./services";
import { PRUNED_CHANNEL, Pruner, forgetVersions, parsePruned } from "./retention/pruner";
import { poolUseOf } from "./ops/db-pool";
import { ServerMetrics } from "./ops/metrics";
import { opsRoutes } from "./ops/ops-routes";
import { createReadiness } from "./ops/readiness";
import { RequestLog } from "./ops/request-log";
import { loadPlayground, withPlayground } from "./playground/playground";
import { uiRoutes } from "./ui/ui";
import { startWebhooks } from "./webhook/webhooks";
import { workspacePersistedQueries } from "./http/persisted-queries";
import type { Lookup, Transport } from "./webhook/transport";

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  /** Sends webhook deliveries; default: POST over the network to the checked, pinned address. */
  webhookTransport?: Transport;
  /** Resolves webhook host names; default: the system resolver (dns.lookup). */
  webhookLookup?: Lookup;
  /** How often the API key table is checked for revocations made elsewhere (1 s); tests lengthen it to see Redis alone at work. */
  keyTableCheckMs?: number;
}

export interface App {
  readonly server: Server;
  readonly db: Database;
  readonly live: LiveFanout;
  /** The retention pass, run periodically; tests and operators may run it at once. */
  readonly pruner: Pruner;
  /** The admin key generated at first start, to be shown once; null when none was generated. */
  readonly generatedAdminKey: string | null;
  /** Starts listening; resolves with the GraphQL endpoint's URL. */
  listen(): Promise<string>;
  /** Closes WebSockets (1001), stops taking requests, lets in-flight ones finish, then closes the stores. */
  close(): Promise<void>;
}

const MAX_TOKENS = 20_000;

/** Builds the whole server without listening: migrate and bootstrap, schema, Apollo, routes, WebSockets. */
export async function createApp({
  config,
  logger,
  now = () => new Date(),
  keyTableCheckMs = KEY_TABLE_CHECK_MS,
  webhookTransport,
  webhookLookup,
}: AppDeps): Promise<App> {
  const db = await openDatabase(config.database, undefined, (message) => logger.warn(message));
  // Held keys are trusted while the last check of the key table is at most 1.5 intervals old.
  const keys = new KeyCache(keyTableCheckMs * 1.5);
  const auth = new AuthService(db, now, keys);
  let generatedAdminKey: string | null = null;
  await db.migrate(async () => void (generatedAdminKey = await auth.bootstrap(config.bootstrapKey)));
  if (config.authOff) logger.warn("WAYMARK_AUTH=off: every request acts as an admin of the operator workspace. For local exploration only.");
  const bus = config.redisUrl ? new RedisBus(config.redisUrl, logger) : null;
  const live = new LiveFanout(db, bus, logger);
  const metrics = new ServerMetrics(config.metrics);
  const requestLog = new RequestLog(logger, metrics);
  const revocations = new KeyRevocations(
    bus,
    (ids) => auth.revokedAmong(ids),
    logger,
    () => keys.dropValid(),
  );
  const keyWatch = config.authOff ? null : new KeyTableWatch(keyTableStateOf(db), keys, logger, keyTableCheckMs);
  const authenticator = new Authenticator(auth, new FailedAuthLimiter(config.authFailuresPerMinute), config.authOff);
  const clientAddress = clientAddressOf(config.trustedProxies);
  const subscriptions = new LiveSubscriptions(db, live.hub, liveLogOf(db));
  const webhooks = await startWebhooks({ db, config: config.webhooks, now, logger, metrics, transport: webhookTransport, lookup: webhookLookup }).catch(
    async (error: unknown) => {
      // Refused to start (no WAYMARK_SECRET_KEY for existing webhooks): release what is already open.
      live.stop();
      revocations.stop();
      bus?.stop();
      await db.close();
      throw error;
    },
  );
  const versions = new VersionCache();
  // Other instances cache version rows for good: tell them, as the pruner does, which bodies are gone.
  const bodiesErased = (ids: number[]) => {
    forgetVersions(versions, ids);
    bus?.publish(PRUNED_CHANNEL, JSON.stringify(ids));
  };
  const schema = await buildWaymarkSchema(createServices(db, metrics.countingLiveEvents(live), now, auth, revocations, webhooks.service, bodiesErased));
  const formatError = createErrorFormatter(logger);
  const history = new HistoryCache(schema, db, (outcome) => metrics.countHistoryRead(outcome));
  const contextFor = ({ principal, failure }: Authentication, requestId: string): RequestContext => {
    const caller = principal ?? { workspaceId: -1, actor: "anonymous" };
    return { principal, authFailure: failure, caller, loaders: createLoaders(db, caller.workspaceId, versions), requestId, subscriptions };
  };
  // What the query limits need of the schema (list bounds, introspection budget), worked out once.
  const facts = new SchemaFacts(schema);
  const persisted = workspacePersistedQueries();
  const apollo = new ApolloServer<RequestContext>({
    // Executes through the gateway hook so history reads can be answered from a validated cache.
    ...cachedExecution(schema, history),
    formatError,
    includeStacktraceInErrorResponses: false,
    // A token cap bounds parse time and stack depth before any other limit can look at a query.
    parseOptions: { maxTokens: MAX_TOKENS },
    allowBatchedHttpRequests: false,
    persistedQueries: persisted.persistedQueries,
    // The handler refuses simple-request POSTs itself (http/csrf.ts), and GET runs queries only:
    // Apollo's check would also refuse the plain GETs that urql and others send.
    csrfPrevention: false,
    validationRules: [limitsBeforeValidation(facts)],
    // The schema is a published contract (schema.graphql); the playground needs it in production too.
    introspection: true,
    // Cache-control hints are unused, and the plugin wraps every field resolver (~5 % of a history read).
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      wellFormedInputPlugin(),
      queryLimitsPlugin(facts, { textOf: (data) => history.textOf(data) }),
      rateLimitedStatusPlugin(),
      requestLog.plugin(),
      persisted.plugin,
    ],
  });
  await apollo.start();
  const graphql = graphqlHandler(apollo, {
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    context: async (requestId, req) =>
      requestLog.bind(req, contextFor(await authenticator.authenticate(req.headers.authorization, clientAddress(req)), requestId)),
    async cachedAnswer(context, request) {
      const answer = await history.answer(context, request);
      // One past the response cap goes down Apollo's pipeline, which refuses it.
      if (!answer || answer.text.length > QUERY_LIMITS.maxResponseBytes) return null;
      requestLog.answered(context, answer.operationName, "query");
      return answer.text;
    },
  });
  let draining = false;
  const playground = loadPlayground();
  const readiness = createReadiness({ db, bus, timeoutMs: config.readinessTimeoutMs, draining: () => draining });
  const origins: OriginPolicy = { corsOrigins: config.corsOrigins, authOff: config.authOff, allowedHosts: config.allowedHosts };
  const http = createHttpServer(
    {
      // Each request's database work is bounded (db/deadline.ts): a database that stops answering costs it UNAVAILABLE, not a hang.
      "/graphql": withPlayground(
        requestLog.route((req, res, url) => withDeadline(() => graphql(req, res, url))),
        playground.page,
      ),
      ...playground.assets,
      ...uiRoutes(),
      ...opsRoutes({ readiness, metrics: config.metrics ? metrics : null, metricsToken: config.metricsToken, logger }),
    },
    logger,
    (req) => hostRefusal(req, origins),
  );
  const sockets = attachWebSocket(http.server, {
    verifyUpgrade: verifyUpgrade(origins),
    schema,
    limits: facts,
    formatError: metrics.countingErrors(formatError),
    maxPayloadBytes: config.maxBodyBytes,
    maxTokens: MAX_TOKENS,
    maxSubscriptions: config.maxSubscriptionsPerConnection,
    authenticate: (params, req) => authenticator.authenticate(authorizationOf(params), clientAddress(req)),
    context: (authentication) => contextFor(authentication, randomUUID()),
    track: (keyId, socket) => revocations.track(keyId, socket),
  });
  // Other instances cache version rows for good: tell them which bodies are gone.
  bus?.subscribe(PRUNED_CHANNEL, (text) => forgetVersions(versions, parsePruned(text)));
  const pruner = new Pruner(db, now, logger, versions, (ids) => bus?.publish(PRUNED_CHANNEL, JSON.stringify(ids)));
  pruner.start(config.retentionIntervalSeconds * 1000);
  metrics.watch({ subscriptions: () => live.hub.listenerCount, webSockets: () => sockets.connections, pool: () => poolUseOf(db) });

  return {
    server: http.server,
    db,
    live,
    pruner,
    generatedAdminKey,
    listen: () =>
      new Promise((resolve, reject) => {
        http.server.once("error", reject);
        http.server.listen(config.port, config.host, () => {
          const { port } = http.server.address() as AddressInfo;
          const host = config.host.includes(":") ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}/graphql`);
        });
      }),
    async close() {
      draining = true;
      await sockets.close();
      await http.close();
      await apollo.stop();
      await webhooks.stop();
      live.stop();
      pruner.stop();
      revocations.stop();
      keyWatch?.stop();
      bus?.stop();
      await db.close();
    },
  };
}

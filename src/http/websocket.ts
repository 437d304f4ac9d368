import type { IncomingMessage, Server } from "node:http";
import { GraphQLError, execute, getOperationAST, parse, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { limitCheck } from "../limits/limits-plugin";
import type { SchemaFacts } from "../limits/schema-facts";
import { responseSizeError } from "../limits/response-size";
import { illFormedInputError, illFormedRequestError } from "../limits/well-formed-input";
import { documentLimitError } from "../limits/query-limits";
import { useServer } from "graphql-ws/use/ws";
import { InexactIntegers } from "./ws-inexact";
import { WebSocketServer, type VerifyClientCallbackAsync, type WebSocket } from "ws";
import type { Authentication } from "../auth/authenticator";
import type { RequestContext } from "../context";
import { sharedSubscribe, withinConnection } from "../live/shared-subscribe";
import { emptyQuery, operationError, parseFailed, persistedQueryError, validationFailed, variableErrors } from "./ws-errors";
import { holdText, tooManySubscriptions, tooMuchHeld } from "./ws-budget";
import { StatementBudget, withDeadline } from "../db/read-gate";
import { ErrorCode } from "../errors";

export interface WebSocketOptions {
  schema: GraphQLSchema;
  /** What the query limits know of `schema`. */
  limits: SchemaFacts;
  maxPayloadBytes: number;
  maxTokens: number;
  /** Subscriptions one connection may hold at once. */
  maxSubscriptions: number;
  /** Authenticates a connection from its connection_init payload, once. */
  authenticate: (params: Readonly<Record<string, unknown>> | undefined, request: IncomingMessage) => Promise<Authentication>;
  context: (auth: Authentication) => RequestContext;
  /** Registers an authenticated connection so revoking its key closes it; returns the release, or null when the key is already revoked. */
  track: (keyId: number, socket: WebSocket) => (() => void) | null;
  formatError: (formatted: GraphQLFormattedError, raw: unknown) => GraphQLFormattedError;
  /** Checks an upgrade before it becomes a WebSocket (origin.ts: its Origin and Host); a refusal is an HTTP answer. */
  verifyUpgrade?: VerifyClientCallbackAsync;
}

export interface WebSocketEndpoint {
  /** Open graphql-ws connections. */
  readonly connections: number;
  /** Closes every socket with 1001 (going away) and stops accepting new ones. */
  close(): Promise<void>;
}

type Extra = {
  socket: WebSocket;
  /** The upgrade request; dropped once the connection is authenticated (it holds every header, for as long as the socket lives). */
  request?: IncomingMessage;
  auth?: Authentication;
  release?: () => void;
  /** The connection's share of the database pool, drawn on by all its subscriptions. */
  statements?: StatementBudget;
  /** The size of the text (id, query, variables) each of its operations holds while open. */
  held?: Map<string, number>;
};

const KEEP_ALIVE_MS = 12_000;
/** Parsed and validated documents kept by query text (short texts only), so that many subscribers share one. */
const MAX_KNOWN_DOCUMENTS = 256;
const MAX_KNOWN_TEXT = 8 * 1024;

/** graphql-ws subscriptions on the same port and path as HTTP. */
export function attachWebSocket(server: Server, options: WebSocketOptions): WebSocketEndpoint {
  const wss = new WebSocketServer({ server, path: "/graphql", maxPayload: options.maxPayloadBytes, verifyClient: options.verifyUpgrade });
  const format = (errors: readonly unknown[] | undefined) =>
    errors?.map((error) => options.formatError((error as { toJSON(): GraphQLFormattedError }).toJSON(), error));
  // Parsing and validation depend on the text alone; one document per text also lets
  // sharedSubscribe execute an event once for every subscriber of the same operation.
  const known = new Map<string, DocumentNode>();
  const limits = limitCheck(options.limits);
  /** Documents handed on without validation, with the limit they break: never executed. */
  const unvalidated = new WeakMap<DocumentNode, GraphQLError>();
  const documentOf = (query: string): DocumentNode | readonly GraphQLError[] => {
    const found = known.get(query);
    if (found) return found;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: options.maxTokens });
    } catch (error) {
      return [parseFailed(error)];
    }
    // As over HTTP (limits-plugin.ts, limitsBeforeValidation): a document over the limits whatever
    // its variables is not validated, which takes far longer on a hostile one; onSubscribe refuses it.
    const overLimits = documentLimitError(options.limits, document);
    if (overLimits) {
      unvalidated.set(document, overLimits);
      return document;
    }
    const invalid = validate(options.schema, document);
    if (invalid.length > 0) return validationFailed(invalid);
    if (query.length <= MAX_KNOWN_TEXT) {
      if (known.size >= MAX_KNOWN_DOCUMENTS) known.clear();
      known.set(query, document);
    }
    return document;
  };
  const endpoint = useServer<Record<string, unknown>, Extra>(
    {
      schema: options.schema,
      subscribe: sharedSubscribe(),
      execute: (args) => withinConnection(args)(() => execute(args)),
      onConnect: async (ctx) => {
        // With a deadline: a key read from a database that stopped answering is UNAVAILABLE (1013), not a hang.
        const auth = await withDeadline(() => options.authenticate(ctx.connectionParams, ctx.extra.request!));
        // Closed, not kept open with a verdict that would outlive the limit's minute.
        if (auth.failure?.code === "RATE_LIMITED") {
          ctx.extra.socket.close(4429, auth.failure.message.slice(0, 120));
          return false;
        }
        // Only a caller with a key holds a connection (4403); introspection needs none, over HTTP.
        if (!auth.principal) {
          if (auth.failure?.code === ErrorCode.UNAVAILABLE) ctx.extra.socket.close(1013, "The database is unavailable; retry shortly.");
          return false;
        }
        ctx.extra.auth = auth;
        ctx.extra.statements = new StatementBudget();
        (ctx.extra as Extra).request = undefined;
        if (auth.principal?.keyId != null) {
          const release = options.track(auth.principal.keyId, ctx.extra.socket);
          // Revoked while this connection was being authenticated.
          if (!release) {
            ctx.extra.socket.close(4403, "Forbidden: API key revoked");
            return false;
          }
          ctx.extra.release = release;
        }
        return true;
      },
      onClose: (ctx) => ctx.extra.release?.(),
      // The same checks as over HTTP, in the same order, so one request gets the same first error:
      // ill-formed values anywhere in it, parsing, validation, the operation, the query limits,
      // then the variables' types.
      onSubscribe: (ctx, id, payload) => {
        // graphql-ws has already entered this one among the connection's subscriptions.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptions) return [tooManySubscriptions(options.maxSubscriptions)];
        if (!holdText((ctx.extra.held ??= new Map()), ctx.subscriptions, id, payload, options.maxPayloadBytes)) return [tooMuchHeld(options.maxPayloadBytes)];
        const illFormed = illFormedRequestError(payload) ?? inexact.take(ctx.extra.socket, id);
        if (illFormed) return [illFormed];
        const persisted = persistedQueryError(payload);
        if (persisted) return [persisted];
        if (payload.query === "") return [emptyQuery()];
        const document = documentOf(payload.query);
        if (!("kind" in document)) return [...document];
        const refused = operationError(document, payload.operationName);
        if (refused) return refused;
        const limit = illFormedInputError(document, payload.variables) ?? limits(document, payload.variables) ?? unvalidated.get(document);
        if (limit) return [limit];
        const badVariables = variableErrors(options.schema, document, payload.variables, payload.operationName);
        if (badVariables) return badVariables;
        return { schema: options.schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
      context: (ctx) => ({
        ...options.context(ctx.extra.auth ?? { principal: null, failure: null }),
        statements: ctx.extra.statements,
        connectionAfterSequence: ctx.connectionParams?.afterSequence,
      }),
      onNext: (_ctx, _id, _payload, args, result) => {
        const tooLarge = getOperationAST(args.document, args.operationName)?.operation !== "mutation" && responseSizeError(result.data);
        if (tooLarge) return { errors: format([tooLarge]) };
        return result.errors ? { ...result, errors: format(result.errors) } : result;
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wss,
    // graphql-ws pings every connection this often and drops one that has not answered the
    // previous ping, so a dead peer's subscriptions are released.
    KEEP_ALIVE_MS,
  );
  const inexact = new InexactIntegers();
  wss.on("connection", (socket) => {
    // A client breaking the protocol (an oversized frame, invalid UTF-8, a bad opcode…) is
    // expected, and ws already closes its socket with the right code (1009, 1007, 1002…).
    // graphql-ws would print a stack on stderr for each one, so a client could flood the log.
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === "error" && String((args[0] as { code?: unknown } | undefined)?.code).startsWith("WS_ERR_")) return false;
      if (event === "message") inexact.note(socket, String(args[0]));
      return emit(event, ...args);
    }) as typeof socket.emit;
  });
  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      await endpoint.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

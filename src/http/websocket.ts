import type { IncomingMessage, Server } from "node:http";
import { GraphQLError, getOperationAST, getVariableValues, parse, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { limitCheck } from "../limits/limits-plugin";
import { responseSizeError } from "../limits/response-size";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Authentication } from "../auth/authenticator";
import type { RequestContext } from "../context";
import { sharedSubscribe } from "../live/shared-subscribe";

export interface WebSocketOptions {
  schema: GraphQLSchema;
  maxPayloadBytes: number;
  maxTokens: number;
  /** Authenticates a connection from its connection_init payload, once. */
  authenticate: (params: Readonly<Record<string, unknown>> | undefined, request: IncomingMessage) => Promise<Authentication>;
  context: (auth: Authentication) => RequestContext;
  /** Registers an authenticated connection so revoking its key closes it; returns the release. */
  track: (keyId: number, socket: WebSocket) => () => void;
  formatError: (formatted: GraphQLFormattedError, raw: unknown) => GraphQLFormattedError;
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
};

const KEEP_ALIVE_MS = 12_000;
/** Parsed and validated documents kept by query text (short texts only), so that many subscribers share one. */
const MAX_KNOWN_DOCUMENTS = 256;
const MAX_KNOWN_TEXT = 8 * 1024;

/** graphql-ws subscriptions on the same port and path as HTTP. */
export function attachWebSocket(server: Server, options: WebSocketOptions): WebSocketEndpoint {
  const wss = new WebSocketServer({ server, path: "/graphql", maxPayload: options.maxPayloadBytes });
  const format = (errors: readonly unknown[] | undefined) =>
    errors?.map((error) => options.formatError((error as { toJSON(): GraphQLFormattedError }).toJSON(), error));
  // Parsing and validation depend on the text alone; one document per text also lets
  // sharedSubscribe execute an event once for every subscriber of the same operation.
  const known = new Map<string, DocumentNode>();
  const limits = limitCheck(options.schema);
  const documentOf = (query: string, variables: Record<string, unknown> | null | undefined): DocumentNode | readonly GraphQLError[] => {
    const found = known.get(query);
    if (found) return found;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: options.maxTokens });
    } catch (error) {
      return [error instanceof GraphQLError ? error : new GraphQLError("The query could not be parsed")];
    }
    // The limits first: validation takes far longer on a hostile document.
    const limit = limits(document, variables);
    if (limit) return [limit];
    const invalid = validate(options.schema, document);
    if (invalid.length > 0) return invalid;
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
      onConnect: async (ctx) => {
        const auth = await options.authenticate(ctx.connectionParams, ctx.extra.request!);
        ctx.extra.auth = auth;
        (ctx.extra as Extra).request = undefined;
        if (auth.principal?.keyId != null) ctx.extra.release = options.track(auth.principal.keyId, ctx.extra.socket);
        return true;
      },
      onClose: (ctx) => ctx.extra.release?.(),
      // The same parse cap, validation and query limits as over HTTP.
      onSubscribe: (_ctx, _id, payload) => {
        const document = documentOf(payload.query, payload.variables);
        if (!("kind" in document)) return [...document];
        const limit = limits(document, payload.variables);
        if (limit) return [limit];
        // graphql-js gives variables that do not fit the operation no code; over HTTP Apollo calls them BAD_USER_INPUT.
        const operation = getOperationAST(document, payload.operationName);
        const coerced = operation && getVariableValues(options.schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 10 });
        if (coerced?.errors) return coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: "BAD_USER_INPUT" } }));
        return { schema: options.schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
      context: (ctx) => options.context(ctx.extra.auth ?? { principal: null, failure: null }),
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
  wss.on("connection", (socket) => {
    // A client breaking the protocol (an oversized frame, invalid UTF-8, a bad opcode…) is
    // expected, and ws already closes its socket with the right code (1009, 1007, 1002…).
    // graphql-ws would print a stack on stderr for each one, so a client could flood the log.
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) =>
      event === "error" && String((args[0] as { code?: unknown } | undefined)?.code).startsWith("WS_ERR_") ? false : emit(event, ...args)) as typeof socket.emit;
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

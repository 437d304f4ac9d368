import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import type { Route } from "../http/http-server";
import type { Logger } from "../logger";
import type { ServerMetrics } from "./metrics";
import { requestIdOf } from "./request-id";

/** What one /graphql request did, filled in as it goes through the route and Apollo. */
interface Trace {
  started: bigint;
  /** Set once Apollo's request pipeline handled it (operation and codes come from there). */
  pipeline: boolean;
  operation: string | null;
  type: string | null;
  /** Whether the caller presented a valid key: only then is the operation name a metric label. */
  authenticated: boolean;
  codes: string[];
}

/**
 * Where a context carries its trace. A property, not a WeakMap keyed by the context: Apollo
 * hands plugins a shallow copy of the context object, which keeps own symbol properties.
 */
const TRACE = Symbol("waymark.requestTrace");
type Traced = { [TRACE]?: Trace };

const codesOf = (errors: readonly GraphQLFormattedError[] | undefined) =>
  (errors ?? []).map((error) => String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR"));

/** Codes of a small error body written before Apollo's pipeline (e.g. 413, malformed JSON). */
function sniffCodes(chunk: unknown): string[] {
  if (typeof chunk !== "string" || chunk.length > 10_000) return [];
  try {
    return codesOf((JSON.parse(chunk) as { errors?: GraphQLFormattedError[] }).errors);
  } catch {
    return [];
  }
}

/**
 * One structured log line and the request metrics for every GraphQL request over HTTP:
 * request id, operation name and type, status, duration, error codes. The route wrapper times
 * the whole exchange; an Apollo plugin names the operation; the two meet through the request's
 * GraphQL context (`bind`).
 */
export class RequestLog {
  private readonly byRequest = new WeakMap<IncomingMessage, Trace>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Wraps the /graphql route. Gives every request an id (the client's x-request-id, else a new one). */
  route(inner: Route): Route {
    return (req, res, url) => {
      if (req.method === "OPTIONS") return inner(req, res, url);
      const requestId = requestIdOf(req.headers["x-request-id"]);
      // The GraphQL handler takes the id from this header, so logs, context and response agree.
      req.headers["x-request-id"] = requestId;
      res.setHeader("x-request-id", requestId);
      const trace: Trace = { started: process.hrtime.bigint(), pipeline: false, operation: null, type: null, authenticated: false, codes: [] };
      this.byRequest.set(req, trace);
      this.sniffEarlyErrors(res, trace);
      res.once("close", () => this.finish(req, res, requestId, trace));
      return inner(req, res, url);
    };
  }

  /** Links a request's GraphQL context to its trace; returns the context. */
  bind<C extends { principal: unknown }>(req: IncomingMessage, context: C): C {
    const trace = this.byRequest.get(req);
    if (!trace) return context;
    (context as Traced)[TRACE] = trace;
    trace.authenticated = context.principal != null;
    return context;
  }

  /** Names the operation of a request answered before Apollo's pipeline (a cached history read). */
  answered(context: object, operationName: string | null, type: string): void {
    const trace = (context as Traced)[TRACE];
    if (!trace) return;
    trace.pipeline = true;
    trace.operation = operationName;
    trace.type = type;
  }

  plugin(): ApolloServerPlugin<object> {
    return {
      async requestDidStart({ contextValue }) {
        const trace = (contextValue as Traced)[TRACE];
        if (!trace) return;
        trace.pipeline = true;
        return {
          async willSendResponse({ operationName, operation, response }) {
            trace.operation = operationName ?? null;
            trace.type = operation?.operation ?? null;
            if (response.body.kind === "single") trace.codes = codesOf(response.body.singleResult.errors);
          },
        };
      },
    };
  }

  private sniffEarlyErrors(res: ServerResponse, trace: Trace): void {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (!trace.pipeline && res.statusCode >= 400) trace.codes = sniffCodes(args[0]);
      return end(...args);
    }) as ServerResponse["end"];
  }

  private finish(req: IncomingMessage, res: ServerResponse, requestId: string, trace: Trace): void {
    const seconds = Number(process.hrtime.bigint() - trace.started) / 1e9;
    this.metrics.observeRequest(trace.operation, trace.type, seconds, trace.authenticated);
    this.metrics.countErrors(trace.codes);
    if (!this.logger.isLevelEnabled("info")) return;
    this.logger.info(
      {
        requestId,
        method: req.method,
        status: res.writableFinished ? res.statusCode : "aborted",
        ms: Math.round(seconds * 10_000) / 10,
        operation: trace.operation ?? undefined,
        type: trace.type ?? undefined,
        codes: trace.codes.length > 0 ? trace.codes : undefined,
      },
      "graphql request",
    );
  }
}

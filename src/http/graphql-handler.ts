import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import type { RequestContext } from "../context";
import { isJsonObject } from "../json-limits";
import { illFormedRequestError } from "../limits/well-formed-input";
import { inexactIntegerError } from "../limits/exact-integers";
import { requestIdOf } from "../ops/request-id";
import type { ReadRequest } from "../cache/history-cache";
import { BodyNotUtf8, BodyTooLarge, readBody, refuseOversized } from "./body";
import { applyCors, isPreflight } from "./cors";
import { postRefusal } from "./csrf";
import { statusFor } from "./response-status";

export interface HandlerOptions {
  maxBodyBytes: number;
  corsOrigins: string[];
  context: (requestId: string, req: IncomingMessage) => Promise<RequestContext>;
  /**
   * The response text of a validated cached answer to a request (history-cache.ts), asked
   * before Apollo's pipeline; null sends the request down that pipeline as usual.
   */
  cachedAnswer?: (context: RequestContext, request: ReadRequest) => Promise<string | null>;
}

/** Accept header values remembered with the content type Apollo answered them with; past this many the memo starts over. */
const MAX_ACCEPT_VALUES = 64;

/**
 * The body as a plain query request, or null for anything else Apollo has its own rules for
 * (GET, extensions such as persisted queries, ill-typed fields, a content type other than JSON).
 */
function plainRequest(method: string | undefined, contentType: string | undefined, body: unknown): ReadRequest | null {
  if (method !== "POST" || contentType?.split(";", 1)[0]!.trim().toLowerCase() !== "application/json" || !isJsonObject(body)) return null;
  const { query, variables, operationName, extensions } = body;
  if (typeof query !== "string" || extensions !== undefined) return null;
  if (variables != null && !isJsonObject(variables)) return null;
  if (operationName != null && typeof operationName !== "string") return null;
  return { query, variables, operationName };
}

function sendError(res: ServerResponse, status: number, code: string, message: string, contentType = "application/json; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType });
  // Every BAD_USER_INPUT lists its problems; one found before Apollo is about the request as a whole.
  const extensions = code === "BAD_USER_INPUT" ? { code, problems: [{ path: [], message }] } : { code };
  res.end(JSON.stringify({ errors: [{ message, extensions }] }));
}

/**
 * A request error found before Apollo (input that no operation may carry), answered as Apollo
 * answers a variable that does not coerce: 400 in application/graphql-response+json when the
 * client accepts it, else 200 in application/json (response-status.ts says why).
 */
function sendRequestError(res: ServerResponse, accept: string, code: string, message: string): void {
  if (accept.includes("application/graphql-response+json")) return sendError(res, 400, code, message, "application/graphql-response+json; charset=utf-8");
  sendError(res, 200, code, message);
}

/**
 * The first ill-formed value in a GET's JSON parameters, refused as a POST body's is; a
 * parameter that does not parse is left to Apollo.
 */
function illFormedSearch(url: URL): string | null {
  for (const name of ["variables", "extensions"]) {
    const text = url.searchParams.get(name);
    if (text === null) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    const problem = illFormedRequestError(value, name) ?? inexactIntegerError(text);
    if (problem) return problem.message;
  }
  return null;
}

/**
 * The /graphql endpoint as a plain node:http handler around Apollo's request executor:
 * Express would cost about half the throughput on small queries and adds nothing needed here.
 */
export function graphqlHandler(apollo: ApolloServer<RequestContext>, options: HandlerOptions) {
  // Apollo picks the response's content type from the Accept header alone; a cached answer is
  // sent only for an Accept value Apollo has already answered, with the type it chose.
  const contentTypes = new Map<string, string>();
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    applyCors(req, res, options.corsOrigins);
    if (isPreflight(req)) {
      res.writeHead(204).end();
      return;
    }
    const refusal = postRefusal(req);
    if (refusal) {
      req.resume();
      return sendError(res, 415, "BAD_REQUEST", refusal);
    }
    let raw: string;
    try {
      raw = await readBody(req, res, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return refuseOversized(req, res, () => sendError(res, 413, "PAYLOAD_TOO_LARGE", `Request body is larger than ${options.maxBodyBytes} bytes`));
      }
      if (error instanceof BodyNotUtf8) return sendError(res, 400, "BAD_REQUEST", "The request body is not valid UTF-8");
      throw error;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    let body: unknown = raw;
    if (req.method === "POST" && (headers.get("content-type") ?? "").includes("json")) {
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return sendError(res, 400, "BAD_REQUEST", "The request body is not valid JSON");
      }
      // Checked on the whole body at once, before the cached-answer path and Apollo see any of it.
      const illFormed = illFormedRequestError(body) ?? inexactIntegerError(raw);
      if (illFormed) return sendRequestError(res, headers.get("accept") ?? "", "BAD_USER_INPUT", illFormed.message);
    }
    const illFormedGet = req.method === "GET" ? illFormedSearch(url) : null;
    if (illFormedGet) return sendRequestError(res, headers.get("accept") ?? "", "BAD_USER_INPUT", illFormedGet);
    const requestId = requestIdOf(headers.get("x-request-id"));
    const accept = headers.get("accept") ?? "";
    const plain = options.cachedAnswer ? plainRequest(req.method, headers.get("content-type"), body) : null;
    // Authenticated once: a request the cache cannot answer takes this same context to Apollo.
    let context: Promise<RequestContext> | undefined;
    const contentType = plain && contentTypes.get(accept);
    if (plain && contentType) {
      context = options.context(requestId, req);
      const text = await context.then((known) => options.cachedAnswer!(known, plain)).catch(() => null);
      if (text !== null) {
        res.writeHead(200, { "content-type": contentType, "x-request-id": requestId });
        res.end(text);
        return;
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: () => context ?? options.context(requestId, req),
    });
    const answeredType = result.headers.get("content-type");
    if (plain && answeredType && !contentTypes.has(accept) && (result.status ?? 200) === 200 && result.body.kind === "complete") {
      if (contentTypes.size >= MAX_ACCEPT_VALUES) contentTypes.clear();
      contentTypes.set(accept, answeredType);
    }
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.setHeader("x-request-id", requestId);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === "complete") {
      res.statusCode = statusFor(res.statusCode, answeredType, result.body.string);
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

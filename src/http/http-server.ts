import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../logger";

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/**
 * How long a client may take to send a request (Node answers 408 and closes the connection):
 * its headers (a WebSocket upgrade's too) within 20 s, the whole request, body included, within
 * 30 s, checked every second. Node's defaults (60 s and 5 minutes, checked every 30 s) let a
 * client that sends a byte now and then hold a connection and up to a whole body's worth of
 * memory for minutes without ever presenting a key.
 */
export const SLOW_CLIENT_LIMITS = { headersTimeout: 20_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 };

export interface HttpServer {
  readonly server: Server;
  /** Stops accepting; keep-alive connections end as their current response finishes. */
  close(): Promise<void>;
}

/**
 * The node:http server: a table of exact paths (and of prefixes: "/ui/*" serves every path under
 * /ui/ that has no exact route), and a JSON 500 for anything a route throws.
 * `refuse` names why a request may not be served at all (origin.ts: its Host), for a 403.
 */
export function createHttpServer(routes: Record<string, Route>, logger: Logger, refuse: (req: IncomingMessage) => string | null = () => null): HttpServer {
  let closing = false;
  const server = createServer(SLOW_CLIENT_LIMITS, (req: IncomingMessage, res: ServerResponse) => {
    // While closing, a keep-alive connection is ended as soon as its response is out; otherwise
    // close() would wait for every client's idle timeout.
    res.once("finish", () => {
      if (closing) req.socket.end();
    });
    if (closing) res.setHeader("connection", "close");
    const refusal = refuse(req);
    if (refusal) {
      req.resume();
      return sendJsonError(res, 403, "FORBIDDEN", refusal);
    }
    const url = URL.parse(req.url ?? "/", "http://localhost");
    // A request line in absolute form ("GET http://host:port/path") whose URL does not parse;
    // unanswered, the throw would end the process.
    if (!url) {
      req.resume();
      return sendJsonError(res, 400, "BAD_REQUEST", "The request's URL does not parse");
    }
    const route = routes[url.pathname] ?? prefixRoute(routes, url.pathname);
    Promise.resolve(route ? route(req, res, url) : void res.writeHead(404, { "content-type": "text/plain" }).end("Not found: the API is at /graphql\n")).catch(
      (error: unknown) => {
        // The client went away before sending its whole request (reading its body failed with
        // Node's "aborted"): there is nobody to answer and nothing went wrong here; the request log
        // line says "aborted". Any other failure is logged, whoever is still listening.
        if (req.destroyed && !req.complete && (error as NodeJS.ErrnoException | undefined)?.code === "ECONNRESET") return;
        logger.error({ err: error }, "request failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
      },
    );
  });
  // Without this listener Node answers `100 Continue` to every `Expect: 100-continue` at once, so a
  // client would start sending a body the route then refuses; readBody sends it once the declared
  // size is known to fit. A route that reads no body answers without it, as HTTP allows.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => server.emit("request", req, res));
  server.keepAliveTimeout = 65_000;
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** The route of the longest "<prefix>/*" key that `path` lies under, if any. */
function prefixRoute(routes: Record<string, Route>, path: string): Route | undefined {
  for (let slash = path.lastIndexOf("/", path.length - 1); slash > 0; slash = path.lastIndexOf("/", slash - 1)) {
    const route = routes[path.slice(0, slash + 1) + "*"];
    if (route) return route;
  }
  return undefined;
}

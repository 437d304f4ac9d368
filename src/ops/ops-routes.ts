import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../http/http-server";
import type { Logger } from "../logger";
import type { ServerMetrics } from "./metrics";
import type { Readiness } from "./readiness";

export interface OpsRouteDeps {
  readiness: () => Promise<Readiness>;
  /** Null when metrics are switched off (WAYMARK_METRICS=off): no /metrics route. */
  metrics: ServerMetrics | null;
  /** WAYMARK_METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string | null;
  logger: Logger;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Whether the request bears the token; compared in constant time (as digests, so lengths never differ). */
function bearsToken(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/** /healthz (the process answers), /readyz (its stores answer) and /metrics (Prometheus). */
export function opsRoutes({ readiness, metrics, metricsToken, logger }: OpsRouteDeps): Record<string, Route> {
  let wasReady = true;
  const routes: Record<string, Route> = {
    "/healthz": (_req, res) => sendJson(res, 200, { status: "ok", uptimeSeconds: Math.round(process.uptime()) }),
    "/readyz": async (_req, res) => {
      const { ready, checks } = await readiness();
      // Logged on change only: probes come every few seconds.
      if (ready !== wasReady) logger[ready ? "info" : "warn"]({ checks }, ready ? "ready again" : "not ready");
      wasReady = ready;
      sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", checks });
    },
  };
  if (metrics) {
    routes["/metrics"] = async (req, res) => {
      if (metricsToken && !bearsToken(req, metricsToken)) {
        res.writeHead(401, { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" });
        res.end("/metrics needs Authorization: Bearer <WAYMARK_METRICS_TOKEN>\n");
        return;
      }
      const text = await metrics.render();
      res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" });
      res.end(text);
    };
  }
  return routes;
}

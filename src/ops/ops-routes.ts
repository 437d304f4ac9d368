import type { ServerResponse } from "node:http";
import type { Route } from "../http/http-server";
import type { Logger } from "../logger";
import type { ServerMetrics } from "./metrics";
import type { Readiness } from "./readiness";

export interface OpsRouteDeps {
  readiness: () => Promise<Readiness>;
  /** Null when metrics are switched off (WAYMARK_METRICS=off): no /metrics route. */
  metrics: ServerMetrics | null;
  logger: Logger;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** /healthz (the process answers), /readyz (its stores answer) and /metrics (Prometheus). */
export function opsRoutes({ readiness, metrics, logger }: OpsRouteDeps): Record<string, Route> {
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
    routes["/metrics"] = async (_req, res) => {
      const text = await metrics.render();
      res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" });
      res.end(text);
    };
  }
  return routes;
}

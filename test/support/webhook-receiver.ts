import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestServer } from "./server";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How the receiver answers its n-th request (1-based); "hang" never answers. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Parsed JSON bodies of the requests answered 2xx. */
  accepted: () => Array<Record<string, any>>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that records every request; `port` reuses a port (a receiver coming back up). */
export async function startReceiver(answer: (n: number, request: Received) => Answer = () => ({ status: 200 }), port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const ok = new Set<Received>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const request = { path: req.url ?? "", headers: req.headers, body, at: Date.now() };
      received.push(request);
      const reply = answer(received.length, request);
      if (reply === "hang") return;
      if (reply.status >= 200 && reply.status < 300) ok.add(request);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/hook`,
    port: actual,
    received,
    accepted: () => received.filter((r) => ok.has(r)).map((r) => JSON.parse(r.body) as Record<string, any>),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `probe` until it returns true, or fails after `timeoutMs`. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Server settings under which webhooks can be created and sent to a receiver on loopback, quickly retried. */
export const WEBHOOK_ENV = {
  WAYMARK_SECRET_KEY: "test-secret-key-0123456789abcdefghijklmnop",
  WAYMARK_WEBHOOKS_ALLOW_HTTP: "loopback",
  WAYMARK_WEBHOOKS_ALLOWED_HOSTS: "127.0.0.1",
  WAYMARK_WEBHOOKS_RETRY_BASE_MS: "50",
  WAYMARK_WEBHOOKS_POLL_MS: "50",
  WAYMARK_WEBHOOKS_TIMEOUT_MS: "2000",
};

export const CREATE_WEBHOOK = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events allEvents status format } } }`;

export async function createWebhook(server: TestServer, input: Record<string, unknown>, headers?: Record<string, string>) {
  const result = await server.gql(CREATE_WEBHOOK, { input: { description: "test", ...input } }, headers);
  if (result.errors) throw new Error(`createWebhook failed: ${JSON.stringify(result.errors)}`);
  return result.data.createWebhook as { secret: string; webhook: { id: string } };
}

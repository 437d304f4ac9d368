import { readFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { registered, wsUrl } from "../support/subscriptions";
import { launchChromium } from "../support/chromium";

// A frontend on another origin, in Debian's Chromium: a tiny page served from a second loopback
// port that talks to Waymark with fetch and with graphql-ws's own browser client.
const GRAPHQL_WS = resolve(__dirname, "../../node_modules/graphql-ws/dist");

const PAGE = `<!doctype html><meta charset="utf-8"><title>frontend</title>
<script type="module">import { createClient } from "/graphql-ws/client.js"; window.createClient = createClient;</script>`;

/** The frontend's origin: the page and graphql-ws's client files, nothing else. */
function startFrontend(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    if (path.startsWith("/graphql-ws/") && path.endsWith(".js")) {
      return void res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(join(GRAPHQL_WS, basename(path))));
    }
    res.writeHead(404).end();
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** What the page's globals used here look like (the tests compile without the DOM library). */
type PageWindow = { createClient: (options: object) => { subscribe(payload: object, sink: object): () => void; dispose(): void } };
type FetchOutcome = { status?: number; requestId?: string | null; body?: unknown; failed?: string };

const APOLLO_HEADERS = {
  "apollographql-client-name": "history-ui",
  "apollographql-client-version": "1.4.0",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  tracestate: "vendor=opaque",
  baggage: "userId=alice",
  "sentry-trace": "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1",
  "x-request-id": "req-from-browser",
};

/** A POST and a GET from the page, as Apollo Client and urql send them. */
function pageFetch(page: Page, url: string, method: "POST" | "GET"): Promise<FetchOutcome> {
  return page.evaluate(
    async ({ url, method, key, extra }) => {
      const query = "query Count { deployments { totalCount } }";
      const headers = { authorization: `Bearer ${key}`, accept: "application/graphql-response+json, application/json", ...extra };
      try {
        const response =
          method === "POST"
            ? await fetch(url, { method, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ query }) })
            : await fetch(`${url}?query=${encodeURIComponent(query)}`, { headers });
        return { status: response.status, requestId: response.headers.get("x-request-id"), body: await response.json() };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    { url, method, key: TEST_ADMIN_KEY, extra: APOLLO_HEADERS },
  );
}

/** Subscribes from the page with graphql-ws's client; resolves with the first event, or how the connection failed. */
function pageSubscribe(page: Page, url: string): Promise<{ event?: unknown; failed?: string }> {
  return page.evaluate(
    ({ url, key }) =>
      new Promise((done) => {
        const client = (globalThis as unknown as PageWindow).createClient({ url, retryAttempts: 0, connectionParams: { Authorization: `Bearer ${key}` } });
        setTimeout(() => done({ failed: "no event within 15 s" }), 15_000);
        client.subscribe(
          { query: "subscription { liveVersionChanged { sequence kind } }" },
          {
            next: (result: { data?: { liveVersionChanged?: unknown } }) => {
              done({ event: result.data?.liveVersionChanged });
              client.dispose();
            },
            // A refused upgrade reaches the client as the socket's error event, or its close (1006).
            error: (error: { type?: string; code?: number }) => done({ failed: [error?.type, error?.code].filter((part) => part !== undefined).join(" ") }),
            complete: () => done({ failed: "completed" }),
          },
        );
      }),
    { url: wsUrl(url), key: TEST_ADMIN_KEY },
  );
}

/** A raw WebSocket from the page: "open" or the close code. */
function pageWebSocket(page: Page, url: string): Promise<string> {
  return page.evaluate(
    (url) =>
      new Promise<string>((done) => {
        const socket = new (
          globalThis as unknown as {
            WebSocket: new (url: string, protocol: string) => { onopen: () => void; onclose: (e: { code: number }) => void; close(): void };
          }
        ).WebSocket(url, "graphql-transport-ws");
        socket.onopen = () => {
          done("open");
          socket.close();
        };
        socket.onclose = (event) => done(`closed ${event.code}`);
      }),
    wsUrl(url),
  );
}

/** An upgrade from Node with the given headers: the HTTP status when refused, "open" when accepted. */
function upgrade(url: string, headers: Record<string, string>): Promise<string | number> {
  return new Promise((done) => {
    const socket = new WebSocket(wsUrl(url), "graphql-transport-ws", { headers });
    socket.once("open", () => {
      done("open");
      socket.close();
    });
    socket.once("unexpected-response", (_req, res) => {
      done(res.statusCode ?? 0);
      res.resume();
    });
    socket.once("error", () => undefined);
  });
}

/** A GET of `{ __typename }` with the given Host header: the status. */
function withHost(url: string, host: string): Promise<number> {
  const target = new URL(url);
  return new Promise((done, fail) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}?query=${encodeURIComponent("{ __typename }")}`,
        headers: { host, authorization: `Bearer ${TEST_ADMIN_KEY}` },
      },
      (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      },
    );
    req.once("error", fail);
    req.end();
  });
}

describe("a frontend on another loopback origin", () => {
  let frontend: { server: Server; origin: string };
  let withCors: TestServer;
  let withoutCors: TestServer;
  let authOff: TestServer;
  let browser: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const preflights: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    frontend = await startFrontend();
    withCors = await startServer("sqlite", { WAYMARK_CORS_ORIGINS: `https://app.example.com, ${frontend.origin}` });
    withoutCors = await startServer("sqlite");
    authOff = await startServer("sqlite", { WAYMARK_AUTH: "off" });
    withCors.app.server.on("request", (req) => void (req.method === "OPTIONS" && preflights.push(req.headers)));
    // No request interception: Playwright would answer CORS preflights itself.
    ({ context: browser, close: closeBrowser } = await launchChromium());
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${frontend.origin}/`);
    await page.waitForFunction(() => typeof (globalThis as unknown as Partial<PageWindow>).createClient === "function");
  });

  afterAll(async () => {
    await closeBrowser?.();
    await Promise.all([withCors?.close(), withoutCors?.close(), authOff?.close()]);
    await new Promise((done) => frontend?.server.close(done));
  });

  describe("with its origin in WAYMARK_CORS_ORIGINS", () => {
    it("passes the preflight for Apollo's client-awareness and tracing headers, and reads x-request-id", async () => {
      const post = await pageFetch(page, withCors.url, "POST");
      expect(post).toEqual({ status: 200, requestId: "req-from-browser", body: { data: { deployments: { totalCount: 0 } } } });
      const asked = String(preflights.at(-1)?.["access-control-request-headers"] ?? "").split(",");
      expect(asked).toEqual(
        expect.arrayContaining(["apollographql-client-name", "apollographql-client-version", "traceparent", "sentry-trace", "authorization"]),
      );
    });

    it("answers a GET query, as urql sends short queries", async () => {
      expect(await pageFetch(page, withCors.url, "GET")).toEqual({
        status: 200,
        requestId: "req-from-browser",
        body: { data: { deployments: { totalCount: 0 } } },
      });
    });

    it("lets the page subscribe over graphql-ws", async () => {
      const event = pageSubscribe(page, withCors.url);
      await registered(withCors, 1);
      await withCors.gql(`mutation { createVersion(input: { flowName: "ui", name: "web", entrypoint: "a.py:b" }) { version { id } } }`);
      expect(await event).toEqual({ event: { sequence: 1, kind: "CREATE" } });
    });
  });

  describe("with WAYMARK_CORS_ORIGINS unset", () => {
    it("refuses the page's fetch", async () => {
      for (const method of ["POST", "GET"] as const) expect((await pageFetch(page, withoutCors.url, method)).failed).toMatch(/TypeError: Failed to fetch/);
    });

    it("refuses the page's graphql-ws connection at the upgrade", async () => {
      expect(await pageSubscribe(page, withoutCors.url)).toEqual({ failed: expect.stringMatching(/^(error|close 1006)$/) });
      expect(await upgrade(withoutCors.url, { origin: frontend.origin })).toBe(403);
    });
  });

  describe("with WAYMARK_AUTH=off", () => {
    it("refuses a WebSocket from a foreign origin with HTTP 403", async () => {
      expect(await pageWebSocket(page, authOff.url)).toBe("closed 1006");
      expect(await upgrade(authOff.url, { origin: frontend.origin })).toBe(403);
      expect(await upgrade(authOff.url, { origin: "null" })).toBe(403);
    });

    it("accepts one from the server's own origin (the playground) and from a client that sends no Origin", async () => {
      await page.goto(authOff.url, { waitUntil: "domcontentloaded" });
      expect(await pageWebSocket(page, authOff.url)).toBe("open");
      expect(await upgrade(authOff.url, {})).toBe("open");
      await page.goto(`${frontend.origin}/`);
    });

    it("refuses a Host that is no loopback name (DNS rebinding), over HTTP and WebSocket", async () => {
      const port = new URL(authOff.url).port;
      expect(await withHost(authOff.url, `rebind.example:${port}`)).toBe(403);
      expect(await upgrade(authOff.url, { host: `rebind.example:${port}`, origin: `http://rebind.example:${port}` })).toBe(403);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `app.localhost:${port}`, `[::1]:${port}`])
        expect(await withHost(authOff.url, host), host).toBe(200);
      // With keys required, the Host is the proxy's business.
      expect(await withHost(withCors.url, "waymark.example.com")).toBe(200);
    });
  });
});

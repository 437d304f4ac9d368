import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page, type WebSocketRoute } from "playwright-core";

/** Debian's Chromium, never a browser a tool downloads. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless as root, and kept from calling home: this machine refuses every outside connection. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

/** Whether a page's request stays on this machine (the browser tests record every other one). */
export const isLoopback = (url: URL) => ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);

type ContextOptions = Omit<NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>, "executablePath" | "headless" | "args">;

/** A browser of its own on a fresh profile; `close` closes it and removes the profile. */
export async function launchChromium(options: ContextOptions = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "waymark-chromium-"));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  try {
    const context = await chromium.launchPersistentContext(profile, { ...options, executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    return { context, close: () => context.close().finally(removeProfile) };
  } catch (error) {
    removeProfile();
    throw error;
  }
}

/**
 * Lets the context's requests and WebSockets reach this machine only: every other one is aborted
 * and its URL added to `outside`. `onSocket` takes each loopback WebSocket (default: through to
 * the server).
 */
export async function confineToLoopback(
  context: BrowserContext,
  outside: string[],
  onSocket: (ws: WebSocketRoute) => unknown = (ws) => ws.connectToServer(),
): Promise<void> {
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (isLoopback(url)) return route.continue();
    outside.push(url.href);
    return route.abort("blockedbyclient");
  });
  await context.routeWebSocket(/.*/, (ws) => {
    if (isLoopback(new URL(ws.url()))) return onSocket(ws);
    outside.push(ws.url());
    return ws.close();
  });
}

/** Records what `page` tries to send off this machine (once per URL) in `outside`, and its errors in `problems`. */
export function watchPage(page: Page, outside: string[], problems: string[]): void {
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (/^(https?|wss?):$/.test(url.protocol) && !isLoopback(url) && !outside.includes(url.href)) outside.push(url.href);
  });
  page.on("console", (message) => void (message.type() === "error" && problems.push(message.text())));
  page.on("pageerror", (error) => problems.push(error.message));
}

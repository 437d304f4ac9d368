import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHeaders, startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { registered } from "../support/subscriptions";
import { confineToLoopback, launchChromium, watchPage } from "../support/chromium";

// docs/design.md, "Running it": a browser GET /graphql serves a GraphQL playground that works with no internet access.
const ROOT = resolve(__dirname, "../..");
const BUNDLE = join(ROOT, "dist", "playground");
/** Where the screenshot goes: docs/playground.png when missing or asked for, so test runs leave the committed one alone. */
const SCREENSHOT =
  !existsSync(join(ROOT, "docs", "playground.png")) || process.env.WAYMARK_UPDATE_SCREENSHOT === "1"
    ? join(ROOT, "docs", "playground.png")
    : join(ROOT, ".tmp", "playground.png");

/** `npm run build` builds the bundle; a bare `vitest run` builds it here when it is missing or stale. */
function ensureBundle(): void {
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs"), "--if-stale", "--only", "playground"], { cwd: ROOT, stdio: "pipe" });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

/** The page's globals used here (the tests compile without the DOM library). */
type BrowserGlobals = { navigator: { clipboard: { writeText(text: string): Promise<void> } } };

/** What an editor shows; Monaco renders spaces as no-break spaces. */
const shown = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\u00a0/g, " ");

/** Ways a built file could make a browser fetch an absolute http(s) URL. Links and namespace strings are not fetches. */
const FETCHING = {
  html: [/\b(?:src|href|srcset|poster|action)\s*=\s*["']?\s*(?:https?:)?\/\//i],
  css: [/url\(\s*["']?\s*(?:https?:)?\/\//i, /@import/i],
  js: [
    /\bimport\s*\(\s*["'`]https?:/,
    /\bfrom\s*["'`]https?:/,
    /\bimportScripts\s*\(\s*["'`]https?:/,
    /\bnew\s+(?:Shared)?Worker\s*\(\s*["'`]https?:/,
    /\bfetch\s*\(\s*["'`]https?:/,
    /\bnew\s+URL\s*\(\s*["'`]https?:/,
    /\b(?:src|srcSet|poster):\s*["'`]https?:/,
    /\bnew\s+WebSocket\s*\(\s*["'`]wss?:/,
  ],
};

describe("the GraphQL playground", () => {
  let server: TestServer;
  let browser: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  /** Every request the page tried to send off this machine (each was aborted). */
  const outside: string[] = [];
  const problems: string[] = [];
  const wsSent: string[] = [];

  beforeAll(async () => {
    ensureBundle();
    server = await startServer("sqlite");
    ({ context: browser, close: closeBrowser } = await launchChromium({ viewport: { width: 1280, height: 800 } }));
    await confineToLoopback(browser, outside);
    await browser.grantPermissions(["clipboard-read", "clipboard-write"]);
    page = browser.pages()[0] ?? (await browser.newPage());
    watchPage(page, outside, problems);
    page.on("websocket", (ws) => ws.on("framesent", (frame) => wsSent.push(String(frame.payload))));
  });

  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  it("is a bundle of local files only, Monaco's workers included", () => {
    const files = filesUnder(BUNDLE);
    const names = files.map((file) => file.slice(BUNDLE.length + 1));
    expect(names).toContain("index.html");
    for (const worker of ["editor.worker", "json.worker", "graphql.worker"]) expect(names.some((name) => name.startsWith(`assets/${worker}-`))).toBe(true);
    const offenders: string[] = [];
    for (const file of files) {
      const kind = file.endsWith(".html") ? "html" : file.endsWith(".css") ? "css" : file.endsWith(".js") ? "js" : null;
      if (!kind) continue;
      const text = readFileSync(file, "utf8");
      for (const pattern of FETCHING[kind]) {
        const match = pattern.exec(text);
        if (match) offenders.push(`${file}: ${text.slice(match.index, match.index + 100)}`);
      }
    }
    expect(offenders).toEqual([]);
    const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
    expect(bytes).toBeLessThan(12 * 1024 * 1024);
  });

  it("serves the page to a browser's GET and GraphQL to everything else, as before", async () => {
    const html = await fetch(server.url, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(html.headers.get("cache-control")).toBe("no-cache");
    const body = await html.text();
    expect(body).toContain("<title>Waymark playground</title>");

    // A GET with a query is GraphQL even from a browser; a POST is unchanged.
    const get = await fetch(`${server.url}?query=${encodeURIComponent("{ deployments { totalCount } }")}`, {
      headers: { accept: "text/html, application/json", "apollo-require-preflight": "true", ...adminHeaders },
    });
    expect(await get.json()).toEqual({ data: { deployments: { totalCount: 0 } } });
    expect((await server.gql("{ deployments { totalCount } }")).data).toEqual({ deployments: { totalCount: 0 } });

    const script = /src="(\/playground\/assets\/[^"]+\.js)"/.exec(body)![1]!;
    const asset = await fetch(new URL(script, server.url), { headers: { "accept-encoding": "gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-encoding")).toBe("gzip");
    expect((await asset.text()).length).toBeGreaterThan(1000);
    const css = /href="(\/playground\/assets\/[^"]+\.css)"/.exec(body)![1]!;
    expect((await fetch(new URL(css, server.url))).headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await fetch(new URL("/playground/assets/nope.js", server.url))).status).toBe(404);
    expect((await fetch(new URL("/playground/assets/../../package.json", server.url))).status).toBe(404);
  });

  it("loads with nothing fetched from outside, runs a query with the pasted key, and shows a subscription event", async () => {
    for (const sha of ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"]) {
      const created = await server.gql(
        `mutation($sha: String!) { createVersion(input: { flowName: "etl", name: "prod", entrypoint: "flows/etl.py:main", workPoolName: "k8s",
          sourceInfo: { type: GITHUB, commitSha: $sha, branch: "main", repository: "acme/etl", message: "Load orders in batches" } }) { version { number } } }`,
        { sha },
      );
      expect(created.errors).toBeUndefined();
    }

    await page.goto(server.url);
    await page.locator("button.graphiql-execute-button").waitFor();
    // Schema docs come from the bundled schema.graphql: they work before any key is pasted.
    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    await expect.poll(() => shown(page, ".graphiql-doc-explorer")).toContain("Query");
    await page.getByRole("button", { name: "Hide Documentation Explorer" }).click();

    // Paste the key into the headers editor, as a person would.
    await page.locator("section.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor").click();
    await page.keyboard.press("Control+A");
    await page.evaluate(
      (text) => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(text),
      `{\n  "Authorization": "Bearer ${TEST_ADMIN_KEY}"\n}`,
    );
    await page.keyboard.press("Control+V");
    await page.locator("button.graphiql-execute-button").click();
    await expect.poll(() => shown(page, ".graphiql-response"), { timeout: 15_000 }).toMatch(/"totalCount": 2/);
    expect(await shown(page, ".graphiql-response")).toContain('"createdBy": "bootstrap-admin"');
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // The subscription tab has no key of its own: the one pasted above goes into connection_init.
    await page.locator(".graphiql-tab-button", { hasText: "LiveVersionChanged" }).click();
    await expect.poll(() => shown(page, ".graphiql-query-editor")).toContain("subscription LiveVersionChanged");
    // GraphiQL reads the operation from the editor after a short debounce; run before that, it would
    // send the previous tab's operation name. So: run, and run again if no subscription started.
    const execute = page.locator("button.graphiql-execute-button");
    await page.waitForTimeout(500);
    for (let attempt = 1; server.app.live.hub.listenerCount === 0; attempt++) {
      if ((await execute.getAttribute("aria-label"))?.startsWith("Execute")) await execute.click();
      await registered(server, 1, 5_000).catch((error: unknown) => {
        if (attempt === 3) throw error;
      });
    }
    const created = await server.gql(
      `mutation { createVersion(input: { flowName: "etl", name: "prod", entrypoint: "flows/etl.py:v3" }) { version { number } } }`,
    );
    expect(created.data).toEqual({ createVersion: { version: { number: 3 } } });
    await expect.poll(() => shown(page, ".graphiql-response"), { timeout: 15_000 }).toMatch(/"kind": "CREATE"/);
    expect(await shown(page, ".graphiql-response")).toMatch(/"liveVersion": \{\s*"number": 3/);

    const init = wsSent.map((frame) => JSON.parse(frame) as { type: string; payload?: Record<string, unknown> }).find((m) => m.type === "connection_init");
    expect(init?.payload).toEqual({ Authorization: `Bearer ${TEST_ADMIN_KEY}` });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });
});

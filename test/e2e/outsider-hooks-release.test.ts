import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confineToLoopback, launchChromium, watchPage } from "../support/chromium";
import { createVersion, deploymentWithVersions, PROMOTE, ROLLBACK } from "../support/operations";
import { startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { createWebhook, startReceiver, until, WEBHOOK_ENV, type Receiver } from "../support/webhook-receiver";

// The history page shown data a deployer chose: markup, script URLs, bidirectional overrides.
const ROOT = resolve(__dirname, "../..");

function ensureBundle(): void {
  if (existsSync(join(ROOT, "dist", "ui", "index.html"))) return;
  execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", "ui/vite.config.mts"], { cwd: ROOT, stdio: "pipe" });
}

const RLO = "\u202e";
const MARKUP = `<img src=x onerror="window.__owned=1"><script>window.__owned=1</script>`;

/** Just what the check below uses of the page's DOM (this file is compiled without DOM types). */
interface TextRange {
  setStart(node: unknown, offset: number): void;
  setEnd(node: unknown, offset: number): void;
  getBoundingClientRect(): { left: number };
}
interface PageDocument {
  createTreeWalker(root: unknown, whatToShow: number): { nextNode(): { textContent: string } | null };
  createRange(): TextRange;
}
/** In the page: whether the text `a` inside `root` is drawn left of the text `b`. */
function rectOrder(root: unknown, [a, b]: string[]): boolean {
  const doc = (globalThis as unknown as { document: PageDocument }).document;
  const rectOf = (needle: string) => {
    const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent.indexOf(needle);
      if (at < 0) continue;
      const range = doc.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      return range.getBoundingClientRect();
    }
    throw new Error(`no text ${needle}`);
  };
  return rectOf(a!).left < rectOf(b!).left;
}

/**
 * Whether `after` inside `selector` is drawn to the right of `before`, as in
 * its source order: a right-to-left override left open in an earlier field must not reverse it.
 */
function drawnInOrder(page: Page, selector: string, before: string, after: string): Promise<boolean> {
  return page.locator(selector).first().evaluate(rectOrder, [before, after]);
}

describe("the history page with hostile data", () => {
  let server: TestServer;
  let origin: string;
  let browser: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  let deploymentId = "";
  const outside: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    ensureBundle();
    server = await startServer("sqlite");
    origin = new URL(server.url).origin;
    const input = (n: number, over: Record<string, unknown> = {}) => ({
      flowName: `etl${RLO}`,
      name: "prod",
      entrypoint: "flows/etl.py:main",
      version: `${MARKUP}${n}`,
      description: MARKUP,
      sourceInfo: { type: "GITHUB", commitSha: `${n}`.padStart(40, "a"), branch: `main${RLO}`, repository: "javascript:alert(1)//x", message: MARKUP },
      ...over,
    });
    deploymentId = (await createVersion(server, input(1))).deployment.id;
    await createVersion(
      server,
      input(2, { sourceInfo: { type: "GITLAB", commitSha: "b".repeat(40), url: "https://gitlab.example/acme/etl", message: "x".repeat(5000) } }),
    );
    ({ context: browser, close: closeBrowser } = await launchChromium({ viewport: { width: 1280, height: 900 } }));
    await confineToLoopback(browser, outside);
  });

  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  async function open(path = "/"): Promise<Page> {
    const page = await browser.newPage();
    watchPage(page, outside, problems);
    await page.goto(origin + path);
    await page.getByLabel("API key").fill(TEST_ADMIN_KEY);
    await page.getByRole("button", { name: "Open" }).click();
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 15_000 });
    return page;
  }

  it("keeps a right-to-left override inside the field that carries it, on the list and the deployment", async () => {
    const list = await open();
    await list.locator("table.deployments tbody tr").first().waitFor();
    expect(await drawnInOrder(list, "table.deployments tbody td a", "etl", "prod")).toBe(true);
    expect(await drawnInOrder(list, "table.deployments tbody td a", "/", "prod")).toBe(true);
    const page = await open(`/ui/deployments/${deploymentId}`);
    await page.locator("table.versions tbody tr").first().waitFor();
    expect(await drawnInOrder(page, "#deployment-title", "/", "prod")).toBe(true);
    await list.close();
    await page.close();
  });

  it("shows markup as text, runs none of it, and links only to http(s) or its own pages", async () => {
    const page = await open(`/ui/deployments/${deploymentId}`);
    await page.locator("table.versions tbody tr").nth(1).waitFor();
    expect(await page.locator("table.versions").innerText()).toContain("<script>");
    expect(await page.locator("table.versions img, table.versions script").count()).toBe(0);
    const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
    for (const href of hrefs) expect(href).toMatch(/^(\/(?!\/)|https?:\/\/)/);
    expect(hrefs.some((h) => h.startsWith("https://gitlab.example/acme/etl/-/commit/"))).toBe(true);
    expect(await page.evaluate("typeof window.__owned")).toBe("undefined");
    // A 5,000-character message stays inside the page's width.
    expect(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
    await page.close();
  });

  it("says what went wrong when the API answers an error instead of GraphQL", async () => {
    const page = await open();
    await page.route("**/graphql", (route) => route.fulfill({ status: 502, contentType: "text/html", body: "<h1>Bad gateway</h1>" }));
    await page.goto(`${origin}/ui/deployments/${deploymentId}`);
    await page
      .getByLabel("API key")
      .fill(TEST_ADMIN_KEY)
      .catch(() => undefined);
    await page
      .getByRole("button", { name: "Open" })
      .click({ timeout: 2_000 })
      .catch(() => undefined);
    await expect.poll(() => page.getByRole("alert").first().innerText(), { timeout: 10_000 }).toMatch(/502/);
    await page.close();
  });
});

describe("webhook delivery with a receiver that hangs", () => {
  let server: TestServer;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    // Long enough that waiting for the hung attempt is plain to see; retries far away.
    server = await startServer("sqlite", { ...WEBHOOK_ENV, WAYMARK_WEBHOOKS_TIMEOUT_MS: "6000", WAYMARK_WEBHOOKS_RETRY_BASE_MS: "600000" });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await server?.close();
  });

  it("does not hold another webhook's delivery until the hung attempt times out", async () => {
    const hung = await startReceiver(() => "hang");
    const fast = await startReceiver();
    receivers.push(hung, fast);
    await createWebhook(server, { url: hung.url, flowName: "slow" });
    await createWebhook(server, { url: fast.url, flowName: "fast" });
    await createVersion(server, { flowName: "slow", name: "prod", entrypoint: "f.py:main" });
    await until("the hung receiver to be sent its delivery", () => hung.received.length === 1, 5_000);
    const sentAt = Date.now();
    await createVersion(server, { flowName: "fast", name: "prod", entrypoint: "f.py:main" });
    await until("the fast receiver to get its delivery", () => fast.received.length === 1, 10_000);
    // Sent at once (README: each instance sends its own changes at once), not after the 6 s timeout.
    expect(fast.received[0]!.at - sentAt).toBeLessThan(2_000);
  });
});

describe("release control raced by two clients (MariaDB, real row locks)", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startServer("mysql")));
  afterAll(() => server?.close());

  const PIN = `mutation($input: PinLiveInput!) { pinLive(input: $input) { change { id } } }`;
  const UNPIN = `mutation($input: UnpinLiveInput!) { unpinLive(input: $input) { change { id } } }`;
  const FLAG = `mutation($input: FlagVersionInput!) { flagVersion(input: $input) { flag { status } } }`;
  const HISTORY = `query($id: ID!) { deployment(id: $id) { pin { by } liveVersion { number }
    liveHistory(first: 100) { edges { node { kind sequence previousVersion { number } liveVersion { number } } } } } }`;

  it("answers each racing move, pin and flag with a real code and leaves one unbroken chain of moves", async () => {
    const { deploymentId, ids } = await deploymentWithVersions(server, 6, "race");
    const ops = Array.from({ length: 40 }, (_, i) => {
      const input = { deploymentId, reason: `op ${i}` };
      switch (i % 6) {
        case 0:
          return server.gql(ROLLBACK, { input: { ...input, unpin: true } });
        case 1:
          return server.gql(PROMOTE, { input: { ...input, number: 1 + ((i * 7) % 6), unpin: true } });
        case 2:
          return server.gql(PIN, { input });
        case 3:
          return server.gql(UNPIN, { input });
        case 4:
          return server.gql(FLAG, { input: { versionId: ids[1 + (i % 6)], status: "BAD", reason: "race" } });
        default:
          return server.gql(ROLLBACK, { input: { ...input, previous: 1, pin: true } });
      }
    });
    const results = await Promise.all(ops);
    for (const r of results) for (const e of r.errors ?? []) expect(e.extensions?.code).not.toBe("INTERNAL_SERVER_ERROR");
    const deployment = (await server.gql(HISTORY, { id: deploymentId })).data.deployment;
    const entries = (deployment.liveHistory.edges as Array<{ node: any }>).map((e) => e.node).reverse();
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i].sequence).toBeGreaterThan(entries[i - 1].sequence);
      expect(entries[i].previousVersion.number).toBe(entries[i - 1].liveVersion.number);
    }
    expect(deployment.liveVersion.number).toBe(entries.at(-1).liveVersion.number);
  });
});

import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, TEST_ADMIN_KEY, type TestServer } from "../support/server";
import { registered } from "../support/subscriptions";
import { launchChromium } from "../support/chromium";

// The playground on an empty server, as a newcomer meets it: the first tab runs and says what to
// do first, a tab runs its own operation right after switching to it, and the key is kept for the
// browser tab's session only when the user asks for it.
const ROOT = resolve(__dirname, "../..");

const shown = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\u00a0/g, " ");
type WebStorage = { getItem(key: string): string | null; setItem(key: string, value: string): void };
type BrowserGlobals = { navigator: { clipboard: { writeText(text: string): Promise<void> } }; sessionStorage: WebStorage; localStorage: WebStorage };

describe("the playground's tabs", () => {
  let server: TestServer;
  let browser: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const sent: Array<{ operationName?: string; query?: string }> = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs"), "--if-stale", "--only", "playground"], { cwd: ROOT, stdio: "pipe" });
    server = await startServer("sqlite");
    ({ context: browser, close: closeBrowser } = await launchChromium({ viewport: { width: 1280, height: 800 } }));
    await browser.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort("blockedbyclient")));
    await browser.grantPermissions(["clipboard-read", "clipboard-write"]);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url() === server.url) sent.push(JSON.parse(request.postData() ?? "{}") as { operationName?: string });
    });
  });

  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
  });

  const pasteKey = async () => {
    await page.locator("section.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor").click();
    await page.keyboard.press("Control+A");
    await page.evaluate(
      (text) => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(text),
      `{ "Authorization": "Bearer ${TEST_ADMIN_KEY}" }`,
    );
    await page.keyboard.press("Control+V");
  };
  const execute = () => page.locator("button.graphiql-execute-button").click();
  /**
   * A quick user: the run follows the tab switch at once, before GraphiQL's debounce has read the
   * new tab's operation name (a keyboard shortcut right after a click does the same).
   */
  const switchAndRun = (tab: string) =>
    page.evaluate((name) => {
      type Clickable = { click(): void; textContent: string | null };
      const document = (globalThis as unknown as { document: { querySelectorAll(s: string): Clickable[]; querySelector(s: string): Clickable } }).document;
      [...document.querySelectorAll(".graphiql-tab-button")].find((b) => b.textContent?.includes(name))!.click();
      setTimeout(() => document.querySelector("button.graphiql-execute-button").click(), 0);
    }, tab);

  it("runs the first tab on an empty server and says what to run first", async () => {
    await page.goto(server.url);
    await page.locator("button.graphiql-execute-button").waitFor();
    await expect.poll(() => shown(page, ".graphiql-query-editor"), { timeout: 15_000 }).toContain("run the CreateVersion tab first");
    await pasteKey();
    await execute();
    await expect.poll(() => shown(page, ".graphiql-response"), { timeout: 15_000 }).toMatch(/"totalCount": 0/);
    expect(await shown(page, ".graphiql-response")).not.toContain("errors");
  });

  it("runs a tab's own operation when run right after switching to it", async () => {
    await switchAndRun("CreateVersion");
    await expect.poll(() => shown(page, ".graphiql-response"), { timeout: 15_000 }).toMatch(/"number": 1/);
    expect(sent.at(-1)?.operationName).toBe("CreateVersion");

    await switchAndRun("LiveVersionChanged");
    await registered(server, 1, 5_000).catch((e: unknown) => {
      throw new Error(`${String(e)} ${JSON.stringify(sent.map((s) => [s.operationName, s.query?.slice(0, 60)]))}`);
    });
    await server.gql(`mutation { createVersion(input: { flowName: "etl", name: "prod", entrypoint: "flows/etl.py:v2" }) { version { number } } }`);
    await expect.poll(() => shown(page, ".graphiql-response"), { timeout: 15_000 }).toMatch(/"kind": "CREATE"/);
    await execute(); // stops the subscription

    await switchAndRun("Deployments");
    await expect.poll(() => shown(page, ".graphiql-response"), { timeout: 15_000 }).toMatch(/"totalCount": 2/);
    expect(sent.at(-1)?.operationName).toBe("Deployments");
  });

  it("keeps the key for the session only when the box is ticked", async () => {
    const box = page.getByLabel("Remember the key for this browser tab");
    expect(await box.isChecked()).toBe(false);
    const stored = () => page.evaluate(() => (globalThis as unknown as BrowserGlobals).sessionStorage.getItem("waymark:authorization"));
    expect(await stored()).toBeNull();
    await box.check();
    expect(await stored()).toBe(`Bearer ${TEST_ADMIN_KEY}`);

    // A reload forgets an unticked key, but not this one: a tab without a key still works.
    await page.reload();
    await page.locator("button.graphiql-execute-button").waitFor();
    expect(await page.getByLabel("Remember the key for this browser tab").isChecked()).toBe(true);
    await page.locator(".graphiql-tab-button", { hasText: "Deployments" }).click();
    await expect.poll(() => shown(page, ".graphiql-query-editor"), { timeout: 15_000 }).toContain("query Deployments");
    await page.waitForTimeout(500);
    await execute();
    await expect.poll(() => shown(page, ".graphiql-response"), { timeout: 15_000 }).toMatch(/"totalCount": 2/);

    await page.getByLabel("Remember the key for this browser tab").uncheck();
    expect(await stored()).toBeNull();
  });

  it("shows each tab once after a reload made right after switching tabs", async () => {
    const titles = () => page.locator(".graphiql-tab-button").allInnerTexts();
    const before = await titles();
    expect(before.length).toBeGreaterThan(2);
    // What GraphiQL has saved 100 ms after a switch from the first tab to the second: the editor's
    // query already, the tabs and the variables editor's text not yet (they wait 500 ms).
    await page.evaluate(() => {
      const storage = (globalThis as unknown as BrowserGlobals).localStorage;
      const saved = JSON.parse(storage.getItem("graphiql:tabState")!) as { activeTabIndex: number; tabs: Array<{ query: string; variables: string | null }> };
      saved.activeTabIndex = 0;
      storage.setItem("graphiql:tabState", JSON.stringify(saved));
      storage.setItem("graphiql:query", saved.tabs[1]!.query);
      storage.setItem("graphiql:variables", saved.tabs[0]!.variables ?? "");
    });
    await page.reload();
    await page.locator("button.graphiql-execute-button").waitFor();
    expect(await titles()).toEqual(before);
    expect(await page.locator(".graphiql-tab.graphiql-tab-active").innerText()).toBe(before[1]);

    // 100 ms after typing in the active tab: the edit is in the editor's saved query only. It is kept, in that tab.
    await page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.setItem("graphiql:query", "query Edited { __typename }"));
    await page.reload();
    await page.locator("button.graphiql-execute-button").waitFor();
    expect(await titles()).toEqual(before.map((title, i) => (i === 1 ? "Edited" : title)));
    await expect.poll(() => shown(page, ".graphiql-query-editor"), { timeout: 15_000 }).toContain("query Edited");
  });
});

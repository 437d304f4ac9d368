import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli";
import { LOW_CONTRAST } from "../support/contrast";
import { createVersion } from "../support/operations";
import { startServer, STORES, type TestServer } from "../support/server";
import { confineToLoopback, launchChromium, watchPage } from "../support/chromium";

// The history page at / : built on the public API, offline, live-updating, moves only for keys that may.
const ROOT = resolve(__dirname, "../..");
const BUNDLE = join(ROOT, "dist", "ui");
/** docs/<name>.png when missing or asked for (WAYMARK_UPDATE_SCREENSHOT=1), so test runs leave the committed ones alone. */
const screenshotPath = (name: string) =>
  !existsSync(join(ROOT, "docs", `${name}.png`)) || process.env.WAYMARK_UPDATE_SCREENSHOT === "1"
    ? join(ROOT, "docs", `${name}.png`)
    : join(ROOT, ".tmp", `${name}.png`);

/** `npm run build` builds the page; a bare `vitest run` on a fresh checkout builds it here. */
function ensureBundle(): void {
  if (existsSync(join(BUNDLE, "index.html"))) return;
  execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", "ui/vite.config.mts"], { cwd: ROOT, stdio: "pipe" });
}

const ZONE = "Asia/Kolkata";
const sha = (n: number) => n.toString(16).padStart(2, "0").repeat(20);

const PREFECT_YAML = `
deployments:
- name: prod
  flow_name: etl
  version: from-the-cli
  entrypoint: flows/etl.py:main
  work_pool:
    name: k8s
`;

describe.each(STORES)("the history page on %s", (store) => {
  let server: TestServer;
  let origin: string;
  let cliDir: string;
  let browser: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  let deploymentId = "";
  const keys = { read: "", release: "" };
  /** Every request a page tried to send off this machine (each was aborted). */
  const outside: string[] = [];
  const problems: string[] = [];
  /** The pages' WebSockets (through Playwright, so a test can cut them), and whether new ones are refused. */
  const sockets: WebSocketRoute[] = [];
  let refuseSockets = false;

  const createKey = async (name: string, scope: string) =>
    (await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { name, scopes: [scope] } })).data.createApiKey
      .key as string;
  const cli = (args: string[]) => runCli(server.url, cliDir, args);
  const liveState = async () =>
    (
      await server.gql(`query($id: ID!) { deployment(id: $id) { liveVersion { number } liveHistory(first: 1) { edges { node { kind actor reason } } } } }`, {
        id: deploymentId,
      })
    ).data.deployment;

  beforeAll(async () => {
    ensureBundle();
    mkdirSync(join(ROOT, ".tmp"), { recursive: true });
    server = await startServer(store);
    origin = new URL(server.url).origin;
    for (let n = 1; n <= 30; n++) {
      const created = await createVersion(server, {
        flowName: "etl",
        name: "prod",
        entrypoint: "flows/etl.py:main",
        workPoolName: "k8s",
        jobVariables: { image: `registry.example/etl:1.${n}` },
        parameters: { batch: 100 + (n % 3) * 50 },
        sourceInfo: { type: "GITHUB", commitSha: sha(n), branch: "main", repository: "acme/etl", message: `Change number ${n}` },
      });
      deploymentId = created.deployment.id;
    }
    for (let n = 1; n <= 3; n++)
      await createVersion(server, {
        flowName: "etl",
        name: "staging",
        sourceInfo: { type: "GITHUB", commitSha: sha(n), branch: "develop", repository: "acme/etl" },
      });
    await createVersion(server, { flowName: "reports", name: "daily", entrypoint: "flows/reports.py:daily" });
    keys.read = await createKey("viewer", "READ");
    keys.release = await createKey("oncall", "RELEASE");
    cliDir = mkdtempSync(join(tmpdir(), "waymark-ui-cli-"));
    writeFileSync(join(cliDir, "prefect.yaml"), PREFECT_YAML);
    ({ context: browser, close: closeBrowser } = await launchChromium({
      viewport: { width: 1280, height: 900 },
      // A zone away from UTC (and the machine's), with a half-hour offset, to see times converted.
      timezoneId: ZONE,
      locale: "en-US",
    }));
    await confineToLoopback(browser, outside, (ws) => {
      // While the test plays a network outage, every new connection is refused at once.
      if (refuseSockets) return ws.close({ code: 1013, reason: "try again later" });
      sockets.push(ws);
      ws.connectToServer();
    });
  });

  afterAll(async () => {
    await closeBrowser?.();
    if (cliDir) rmSync(cliDir, { recursive: true, force: true });
    await server?.close();
  });

  /** A new tab (so a new session: sessionStorage is per tab) that has opened the page and pasted `key`. */
  async function openWithKey(key: string, path = "/"): Promise<Page> {
    const page = await browser.newPage();
    watchPage(page, outside, problems);
    await page.goto(origin + path);
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Open" }).click();
    await page.locator('.conn[data-state="live"]').waitFor({ timeout: 15_000 });
    return page;
  }
  const numbersShown = async (page: Page) =>
    (await page.locator("table.versions tbody th[scope=row]").allInnerTexts()).map((text) => Number(text.replace("#", "")));
  const range = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

  it("is served at / and at deep links with a strict CSP, and its files name no other host", async () => {
    for (const path of ["/", "/ui/deployments/dep_1", "/ui/deployments/dep_1/compare?from=a&to=b"]) {
      const response = await fetch(origin + path, { headers: { accept: "text/html" } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'.*script-src 'self'.*connect-src 'self'/);
      expect(await response.text()).toContain("<title>Waymark</title>");
    }
    expect((await fetch(`${origin}/ui/assets/nope.js`)).status).toBe(404);
    const assets = readdirSync(join(BUNDLE, "assets"));
    for (const name of assets) {
      const text = readFileSync(join(BUNDLE, "assets", name), "utf8");
      expect(text, name).not.toMatch(/\bfetch\s*\(\s*["'`]https?:|\bnew\s+WebSocket\s*\(\s*["'`]wss?:|url\(\s*["']?\s*(?:https?:)?\/\/|@import/);
      const served = await fetch(`${origin}/ui/assets/${name}`);
      expect(served.status).toBe(200);
      expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
  });

  it("with a read key: lists, searches, pages through 30 versions, shows a CLI deploy live, and offers no moves", async () => {
    const page = await openWithKey(keys.read);
    await expect.poll(() => page.locator("table.deployments tbody tr").count()).toBe(3);
    await expect.poll(() => page.locator(".who").innerText()).toContain("viewer");
    if (store === STORES[0]) await page.screenshot({ path: screenshotPath("history-list"), fullPage: true });
    await page.getByLabel("Name contains").fill("PRO");
    await expect.poll(() => page.locator("table.deployments tbody tr").count()).toBe(1);
    await page.getByLabel("Name contains").fill("");
    await page.getByLabel("Flow").fill("reports");
    await expect.poll(() => page.locator("table.deployments tbody tr").allInnerTexts()).toEqual([expect.stringContaining("daily")]);
    await page.getByLabel("Flow").fill("");

    await page.getByRole("link", { name: "etl / prod" }).click();
    await expect.poll(() => numbersShown(page)).toEqual(range(30, 21));
    expect(new URL(page.url()).pathname).toBe(`/ui/deployments/${deploymentId}`);
    const first = page.locator("table.versions tbody tr").first();
    expect(await first.getAttribute("class")).toBe("is-live");
    expect(await first.innerText()).toContain("Change number 30");
    expect(await first.getByRole("link", { name: sha(30).slice(0, 7) }).getAttribute("href")).toBe(`https://github.com/acme/etl/commit/${sha(30)}`);
    await page.getByRole("button", { name: "Older", exact: true }).click();
    await expect.poll(() => numbersShown(page)).toEqual(range(20, 11));
    await page.getByRole("button", { name: "Older", exact: true }).click();
    await expect.poll(() => numbersShown(page)).toEqual(range(10, 1));
    expect(await page.getByRole("button", { name: "Older", exact: true }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Newer", exact: true }).click();
    await expect.poll(() => numbersShown(page)).toEqual(range(20, 11));
    await page.getByRole("button", { name: "Newer", exact: true }).click();
    await expect.poll(() => numbersShown(page)).toEqual(range(30, 21));
    expect(await page.getByRole("button", { name: "Newer", exact: true }).isDisabled()).toBe(true);
    // A read key sees no move buttons at all.
    expect(await page.locator("button.move").count()).toBe(0);
    expect(await page.getByRole("button", { name: /Roll back|Promote/ }).count()).toBe(0);

    // A deploy from the terminal shows up without a reload.
    const deployed = await cli(["deploy"]);
    expect(deployed, deployed.stderr).toMatchObject({ code: 0 });
    await expect.poll(() => numbersShown(page), { timeout: 5_000 }).toEqual(range(31, 22));
    expect(await page.locator("table.versions tbody tr").first().innerText()).toContain("from-the-cli");
    await expect.poll(() => page.locator(".timeline li").first().innerText()).toMatch(/CREATE\s+#30 → #31 by bootstrap-admin/);
    expect(await page.locator(".timeline li").count()).toBe(10);
    await page.getByRole("button", { name: "Show older moves" }).click();
    await expect.poll(() => page.locator(".timeline li").count()).toBe(30);
    expect(await page.locator(".timeline li").nth(29).innerText()).toMatch(/CREATE\s+#1 → #2 by/);
    await page.getByRole("button", { name: "Show older moves" }).click();
    await expect.poll(() => page.locator(".timeline li").count()).toBe(31);
    expect(await page.locator(".timeline li").nth(30).innerText()).toMatch(/^CREATE\s+#1 by/);
    expect(await page.getByRole("button", { name: "Show older moves" }).count()).toBe(0);

    // Compare two versions: the versioned differences, computed in the page, and the commits on GitHub.
    await page.getByRole("checkbox", { name: "Compare #30" }).check();
    await page.getByRole("checkbox", { name: "Compare #29" }).check();
    await page.getByRole("link", { name: "Compare the two selected" }).click();
    await page.locator("table.diff").waitFor();
    const rows = await page.locator("table.diff tbody tr").allInnerTexts();
    expect(rows).toEqual([
      expect.stringMatching(new RegExp(`version\\s+"${sha(29).slice(0, 8)}"\\s+"${sha(30).slice(0, 8)}"`)),
      expect.stringMatching(/parameters\.batch\s+200\s+100/),
      expect.stringMatching(/jobVariables\.image\s+"registry\.example\/etl:1\.29"\s+"registry\.example\/etl:1\.30"/),
    ]);
    expect(await page.getByRole("link", { name: "Compare the commits on the repository host" }).getAttribute("href")).toBe(
      `https://github.com/acme/etl/compare/${sha(29)}...${sha(30)}`,
    );
    if (store === STORES[0]) await page.screenshot({ path: screenshotPath("history-compare"), fullPage: true });
    // One click compares any version with the live one.
    await page.getByRole("link", { name: "← Back to the deployment" }).click();
    await page.getByRole("link", { name: "Compare #29 with the live #31" }).click();
    await expect.poll(() => page.locator("#compare-title").innerText()).toMatch(/#29 → #31/);
    expect(await page.locator("table.diff tbody tr").first().innerText()).toMatch(/^version\s+"1d1d1d1d"\s+"from-the-cli"/);
    await page.close();
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("with a release key: refuses a move without a reason, rolls back as the key, and shows a conflict", async () => {
    const before = await liveState();
    const page = await openWithKey(keys.release, `/ui/deployments/${deploymentId}`);
    await expect.poll(() => numbersShown(page)).toEqual(range(before.liveVersion.number, before.liveVersion.number - 9));
    const target = before.liveVersion.number - 2;

    await page
      .locator("table.versions")
      .getByRole("button", { name: `Roll back to #${target}` })
      .click();
    await page
      .locator(".move-form")
      .getByRole("button", { name: `Roll back to #${target}` })
      .click();
    await expect.poll(() => page.locator("#move-error").innerText()).toContain("A reason is required");
    expect((await liveState()).liveVersion.number).toBe(before.liveVersion.number);

    await page.getByLabel(/Reason/).fill("bad deploy of the new image");
    await page
      .locator(".move-form")
      .getByRole("button", { name: `Roll back to #${target}` })
      .click();
    await expect.poll(() => page.locator(".notice").innerText()).toContain(`Rolled back to #${target}`);
    expect(await liveState()).toEqual({
      liveVersion: { number: target },
      liveHistory: { edges: [{ node: { kind: "ROLLBACK", actor: "oncall", reason: "bad deploy of the new image" } }] },
    });
    await expect.poll(() => page.locator("tr.is-live th").innerText()).toBe(`#${target}`);
    await expect
      .poll(() => page.locator(".timeline li").first().innerText())
      .toMatch(new RegExp(`ROLLBACK\\s+#${before.liveVersion.number} → #${target} by oncall`));
    if (store === STORES[0]) await page.screenshot({ path: screenshotPath("history-deployment"), fullPage: true });

    // The form is opened against the live version then shown; someone moves it from the terminal
    // before the click, so the compare-and-set refuses and the page shows it and refreshes.
    const newest = before.liveVersion.number;
    await page
      .locator("table.versions")
      .getByRole("button", { name: `Promote #${newest}` })
      .click();
    await page.getByLabel(/Reason/).fill("fixed");
    const moved = await cli(["rollback", "etl/prod", "--to", String(target - 1), "--reason", "from the terminal"]);
    expect(moved, moved.stderr).toMatchObject({ code: 0 });
    await page
      .locator(".move-form")
      .getByRole("button", { name: `Promote #${newest}` })
      .click();
    await expect.poll(() => page.locator("p.error").innerText()).toContain("someone else changed the live version meanwhile");
    await expect.poll(() => page.locator("tr.is-live th").innerText()).toBe(`#${target - 1}`);
    expect((await liveState()).liveVersion.number).toBe(target - 1);
    await page.close();
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("resumes after a lost connection with what it missed, and shows the connection's state", async () => {
    const page = await openWithKey(keys.read, `/ui/deployments/${deploymentId}`);
    const sent: string[] = [];
    page.on("websocket", (ws) => ws.on("framesent", (frame) => sent.push(String(frame.payload))));
    // A change while connected moves the page's resume point past the one it loaded with.
    const seen = await createVersion(server, { deploymentId, version: "seen-live" });
    await expect.poll(() => numbersShown(page)).toEqual(range(seen.version.number, seen.version.number - 9));
    const shown = await numbersShown(page);
    const lastSeen = seen.change.sequence;

    refuseSockets = true;
    for (const ws of sockets.splice(0)) await ws.close({ code: 1012, reason: "restart" }).catch(() => undefined);
    await expect.poll(() => page.locator(".conn").getAttribute("data-state")).toBe("reconnecting");
    expect(await page.locator(".conn").innerText()).toContain("Reconnecting");
    const created = await createVersion(server, { deploymentId, version: "made-while-offline" });
    await page.waitForTimeout(500);
    expect(await numbersShown(page)).toEqual(shown);

    refuseSockets = false;
    await expect.poll(() => page.locator(".conn").getAttribute("data-state"), { timeout: 15_000 }).toBe("live");
    await expect.poll(() => numbersShown(page)).toEqual(range(created.version.number, created.version.number - 9));
    expect(await page.locator("table.versions tbody tr").first().innerText()).toContain("made-while-offline");
    // It asked for exactly what followed the last change it had seen.
    const subscribe = sent
      .map((frame) => JSON.parse(frame) as { type: string; payload?: { variables?: Record<string, unknown> } })
      .find((m) => m.type === "subscribe");
    expect(subscribe?.payload?.variables).toEqual({ deploymentId, afterSequence: lastSeen });
    await page.close();
    expect(outside).toEqual([]);
  });

  it("works from the keyboard at phone width, with times in the viewer's zone and UTC on hover", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(origin + "/");
    await page.keyboard.press("Tab");
    await page.keyboard.type(keys.release);
    await page.keyboard.press("Enter");
    await page.locator('.conn[data-state="live"]').waitFor();
    await page.getByRole("link", { name: "etl / prod" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("table.versions tbody tr").nth(9).waitFor();
    // The new view's heading has the focus, not the link that was followed.
    await expect.poll(() => page.evaluate("document.activeElement && document.activeElement.id")).toBe("deployment-title");
    // Nothing wider than the screen: no sideways scrolling of the page or of a table.
    expect(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(0);
    expect(await page.evaluate("Math.max(...[...document.querySelectorAll('.table-wrap')].map((el) => el.scrollWidth - el.clientWidth))")).toBeLessThanOrEqual(
      0,
    );
    if (store === STORES[0]) await page.screenshot({ path: join(ROOT, ".tmp", "history-phone.png") });

    const time = page.locator("table.versions tbody tr").first().locator("time");
    const iso = (await time.getAttribute("datetime"))!;
    expect(await time.getAttribute("title")).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);
    expect(await time.innerText()).toBe(new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: ZONE }).format(new Date(iso)));

    // A move is reachable from the keyboard: Enter opens the form with the reason focused, Escape closes it.
    await page.locator("table.versions button.move").first().focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate("document.activeElement && document.activeElement.id")).toBe("move-reason");
    await page.keyboard.press("Escape");
    expect(await page.locator(".move-form").count()).toBe(0);
    await page.close();
  });

  it("keeps every text at WCAG AA contrast on each view", async () => {
    const page = await openWithKey(keys.release);
    await page.locator("table.deployments").waitFor();
    expect(await page.evaluate(LOW_CONTRAST)).toEqual([]);
    await page.getByRole("link", { name: "etl / prod" }).click();
    await page.locator("table.versions button.move").first().waitFor();
    await page.locator("table.versions button.move").first().click();
    await page.locator(".move-form").getByRole("button").first().click();
    await page.locator("#move-error").waitFor();
    expect(await page.evaluate(LOW_CONTRAST)).toEqual([]);
    await page.locator("a.vs-live").first().click();
    await page.locator("table.diff").waitFor();
    expect(await page.evaluate(LOW_CONTRAST)).toEqual([]);
    await page.close();
  });

  it("goes back to the key form when the key is revoked", async () => {
    const created = (await server.gql(`mutation { createApiKey(input: { name: "temporary", scopes: [READ] }) { key apiKey { id } } }`)).data.createApiKey;
    const page = await openWithKey(created.key);
    await page.locator("table.deployments").waitFor();
    expect(
      (await server.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`, { id: created.apiKey.id })).errors,
    ).toBeUndefined();
    await expect.poll(() => page.locator(".key-form .error").innerText(), { timeout: 10_000 }).toContain("revoked?");
    expect(await page.getByLabel("API key").inputValue()).toBe("");
    await page.close();
  });

  it("remembers the key for the tab only when asked", async () => {
    const page = await browser.newPage();
    await page.goto(origin + "/");
    await page.getByLabel("API key").fill(`Bearer ${keys.read}`);
    await page.getByLabel(/Remember it/).check();
    await page.getByRole("button", { name: "Open" }).click();
    await page.locator('.conn[data-state="live"]').waitFor();
    await page.reload();
    await page.locator('.conn[data-state="live"]').waitFor();
    await page.getByRole("button", { name: "Forget key" }).click();
    await page.reload();
    await page.getByLabel("API key").waitFor();
    await page.close();
  });

  it("marks pinned, archived and bad-flagged ones, hides archived deployments until asked, and offers no move it would refuse", async () => {
    const idOf = async (flowName: string, name: string) =>
      (await server.gql(`query($f: String!, $n: String!) { deploymentByName(flowName: $f, name: $n) { id liveVersion { id } } }`, { f: flowName, n: name }))
        .data.deploymentByName as { id: string; liveVersion: { id: string } };
    const staging = await idOf("etl", "staging");
    const daily = await idOf("reports", "daily");
    const ok = (result: { errors?: unknown }) => expect(result.errors).toBeUndefined();
    ok(
      await server.gql(`mutation($i: PinLiveInput!) { pinLive(input: $i) { deployment { id } } }`, { i: { deploymentId: staging.id, reason: "incident 42" } }),
    );
    ok(
      await server.gql(`mutation($i: FlagVersionInput!) { flagVersion(input: $i) { version { id } } }`, {
        i: { versionId: staging.liveVersion.id, status: "BAD", reason: "corrupts rows" },
      }),
    );
    ok(await server.gql(`mutation($i: DeploymentLifecycleInput!) { archiveDeployment(input: $i) { deployment { id } } }`, { i: { deploymentId: daily.id } }));

    const page = await openWithKey(keys.release);
    const rows = () => page.locator("table.deployments tbody tr").allInnerTexts();
    await expect.poll(rows).toEqual([expect.stringContaining("prod"), expect.stringMatching(/staging\s*pinned/)]);
    expect(await page.locator(".badge-pinned").getAttribute("title")).toMatch(/^pinned by bootstrap-admin, .* UTC: incident 42$/);
    await page.getByLabel("Show archived").check();
    await expect.poll(rows).toEqual([expect.stringContaining("prod"), expect.stringContaining("staging"), expect.stringMatching(/daily\s*archived/)]);

    await page.getByRole("link", { name: "etl / staging" }).click();
    await expect.poll(() => page.locator("#deployment-title").innerText()).toMatch(/staging\s*pinned/);
    expect(await page.locator(".note").first().innerText()).toMatch(/pinned by bootstrap-admin \(incident 42\)/);
    expect(await page.locator("table.versions tbody tr").first().locator(".badge-bad").getAttribute("title")).toBe(
      "flagged bad by bootstrap-admin: corrupts rows",
    );
    // The release key may move, but a pinned deployment would refuse it: no move buttons.
    expect(await page.locator("button.move").count()).toBe(0);
    await expect.poll(() => page.locator(".timeline li").first().innerText()).toMatch(/^PIN\s+#3 by bootstrap-admin/);
    await page.close();
    expect(problems).toEqual([]);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "playwright-core";
import { gql, machine, ROOT, runBench, startServer } from "./lib/infra";
import { versionInput, CREATE } from "./lib/seed";
import { CHROMIUM, CHROMIUM_ARGS } from "../test/support/chromium";

/**
 * B6: the history page's weight and speed. The bundle's files as built (raw and gzipped, as the
 * server sends them), and in Debian's Chromium, with the cache off: the time from navigation to
 * the page's first render (its `waymark:rendered` mark, the key form on screen), from pasting the
 * key to the deployments list, from a click to a deployment's first page of versions, and from a
 * createVersion made elsewhere to its row on the page (over the live subscription, no reload).
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node dist/bench/b6-page.js --rounds=10
 */
const KEY = "wm_bench-page-key-0123456789abcdefghij";
const rounds = Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 10);

function bundleSizes(): string {
  const dir = resolve(ROOT, "dist/ui");
  const files = ["index.html", ...readdirSync(join(dir, "assets")).map((name) => `assets/${name}`)];
  const rows = files.map((file) => {
    const body = readFileSync(join(dir, file));
    return { file, raw: body.length, gzip: gzipSync(body, { level: 6 }).length };
  });
  const total = { file: "total", raw: rows.reduce((s, r) => s + r.raw, 0), gzip: rows.reduce((s, r) => s + r.gzip, 0) };
  return ["| file | bytes | gzipped |", "|---|---|---|", ...[...rows, total].map((r) => `| ${r.file} | ${r.raw} | ${r.gzip} |`)].join("\n");
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(browser: Browser, origin: string, deploymentName: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await page.goto(`${origin}/`);
  await page.getByLabel("API key").waitFor();
  const firstRender = await page.evaluate(() => {
    const perf = (globalThis as unknown as { performance: { getEntriesByName(name: string): Array<{ startTime: number }> } }).performance;
    return perf.getEntriesByName("waymark:rendered")[0]!.startTime;
  });
  await page.getByLabel("API key").fill(KEY);
  let start = Date.now();
  await page.getByRole("button", { name: "Open" }).click();
  await page.getByRole("link", { name: `etl / ${deploymentName}` }).waitFor();
  const list = Date.now() - start;
  start = Date.now();
  await page.getByRole("link", { name: `etl / ${deploymentName}` }).click();
  await page.locator("table.versions tbody tr").nth(9).waitFor();
  const deployment = Date.now() - start;
  // A version made elsewhere (here through the API): from the call to its row on screen.
  start = Date.now();
  const created = await gql<{ createVersion: { version: { number: number } } }>(
    `${origin}/graphql`,
    CREATE,
    { input: versionInput({ flowName: "etl", name: deploymentName }) },
    { authorization: `Bearer ${KEY}` },
  );
  await page.locator(`table.versions tbody tr[data-number="${created.createVersion.version.number}"]`).waitFor();
  const liveUpdate = Date.now() - start;
  await context.close();
  return { firstRender, list, deployment, liveUpdate };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "waymark-b6-"));
  const server = await startServer({ WAYMARK_AUTH: "on", WAYMARK_BOOTSTRAP_KEY: KEY, DATABASE_URL: `sqlite:${join(dir, "b6.sqlite")}` });
  // Playwright gives the browser a fresh profile of its own, removed on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const headers = { authorization: `Bearer ${KEY}` };
    for (let n = 1; n <= 30; n++) await gql(server.url, CREATE, { input: versionInput({ flowName: "etl", name: "prod", version: `1.${n}` }) }, headers);
    const origin = new URL(server.url).origin;
    await measure(browser, origin, "prod"); // warm the server (JIT, the gzip of each file)
    const runs = [];
    for (let i = 0; i < rounds; i++) runs.push(await measure(browser, origin, "prod"));
    console.log(`B6 history page, ${new Date().toISOString()}, ${machine()}\n`);
    console.log(bundleSizes());
    console.log(`\n${rounds} cold loads (cache off), median (min–max) ms:\n`);
    console.log("| step | median | min | max |\n|---|---|---|---|");
    for (const step of ["firstRender", "list", "deployment", "liveUpdate"] as const) {
      const values = runs.map((r) => r[step]);
      console.log(`| ${step} | ${median(values).toFixed(0)} | ${Math.min(...values).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`);
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);

import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonDifferences, showValue } from "../../ui/diff";
import { jsonDiff } from "../../src/release/json-diff";
import { checkUrl, pinnedTransport, RefusedTarget, type Lookup } from "../../src/webhook/transport";
import { slackMessage, type WebhookEvent } from "../../src/webhook/delivery-body";
import { signatureHeader, verifySignature } from "../../src/webhook/signature";

const AT = new Date("2026-01-01T00:00:00Z");
const T = AT.getTime() / 1000;

/** The `verify` function of README's "Verifying it", as a receiver would copy it. */
function readmeVerify(): (header: string, body: string, secret: string) => boolean {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const source = /^function verify\([\s\S]*?\n\}$/m.exec(readme)?.[0];
  if (!source) throw new Error("README has no function verify");
  return new Function("createHmac", "timingSafeEqual", `${source}; return verify;`)(createHmac, timingSafeEqual);
}

describe("a receiver verifying signatures", () => {
  // 64 characters that are not hex decode to fewer than 32 bytes: timingSafeEqual throws on the length.
  const forged = [`t=${T},v1=${"z".repeat(64)}`, `t=${T},v1=${"0".repeat(62)}zz`, `t=${T},v1=${"é".repeat(64)}`];

  it("says false to a v1 of 64 characters that are not hex, instead of throwing", () => {
    for (const header of forged) expect(verifySignature(header, "{}", "whsec_x", AT)).toBe(false);
  });

  it("can copy README's verify, which says false to the same forgeries and true to a real signature", () => {
    const verify = readmeVerify();
    const now = Date.now;
    Date.now = () => AT.getTime();
    try {
      for (const header of forged) expect(verify(header, "{}", "whsec_x")).toBe(false);
      expect(verify(signatureHeader("{}", ["whsec_new", "whsec_x"], AT), "{}", "whsec_x")).toBe(true);
      expect(verify(signatureHeader("{}", ["whsec_new"], AT), "{}", "whsec_x")).toBe(false);
    } finally {
      Date.now = now;
    }
  });
});

const version = (over: Partial<WebhookEvent["liveVersion"]>): WebhookEvent["liveVersion"] => ({
  id: "ver_1",
  number: 1,
  version: "v1",
  commitSha: "3f2a1b4c5d6e",
  sourceUrl: null,
  sourceRepository: null,
  ...over,
});

const event = (live: WebhookEvent["liveVersion"]): WebhookEvent => ({
  id: "chg_1",
  sequence: 1,
  kind: "PROMOTE",
  actor: "alice",
  reason: null,
  at: AT.toISOString(),
  deployment: { id: "dep_1", name: "prod", flowName: "etl" },
  previousVersion: null,
  liveVersion: live,
});

/** Slack's control sequences: `<…>` opens a link or a mention, `|` ends a link's address. */
const controlSequences = (text: string) => [...text.matchAll(/<([^>]*)>/g)].map((m) => m[1]!);

describe("the SLACK body", () => {
  it("keeps a hostile repository or source URL inside its one link: no mention, no second link", () => {
    for (const live of [
      version({ sourceRepository: "https://github.com/acme/etl> <!channel> <https://evil.example/x" }),
      version({ sourceUrl: "https://ci.example/run/1> <!here> <https://evil.example/x" }),
      version({ sourceUrl: "https://evil.example/x|Open the incident report" }),
    ]) {
      const { text } = slackMessage(event(live));
      const links = controlSequences(text);
      expect(links).toHaveLength(1);
      expect(links[0]).toMatch(/^https:\/\/[^<>|]*\|3f2a1b4c$/);
    }
  });

  it("still links a plain commit as README shows it", () => {
    const { text } = slackMessage(event(version({ sourceRepository: "https://github.com/acme/etl" })));
    expect(text).toContain("Commit: <https://github.com/acme/etl/commit/3f2a1b4c5d6e|3f2a1b4c>");
  });
});

/** Objects as JSON.parse gives them: `__proto__` an own key like any other. */
const parsed = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("comparing two versions whose JSON has keys named like Object's own properties", () => {
  const before = parsed('{"__proto__":5,"constructor":"x","toString":{"a":1},"keep":-0,"big":1e308}');
  const after = parsed('{"keep":0,"big":1e308,"hasOwnProperty":true}');

  it("the page shows a removed or added key as absent on the other side, never as Object's inherited member", () => {
    const shown = Object.fromEntries(jsonDifferences(before, after, "labels").map((d) => [d.path, [showValue(d.before), showValue(d.after)]]));
    expect(shown).toEqual({
      "labels.__proto__": ["5", "—"],
      "labels.constructor": ['"x"', "—"],
      "labels.toString": ['{"a":1}', "—"],
      "labels.hasOwnProperty": ["—", "true"],
    });
  });

  it("the API's versionDiff lists the same keys, at JSON Pointers, with -0 equal to 0", () => {
    expect(jsonDiff(before, after).map((c) => `${c.op} ${c.path}`)).toEqual([
      "REMOVE /__proto__",
      "REMOVE /constructor",
      "REMOVE /toString",
      "ADD /hasOwnProperty",
    ]);
  });
});

describe("one webhook attempt", () => {
  it("stays within its timeout when the name lookup never answers (the claim's lease assumes it does)", async () => {
    const silent: Lookup = () => new Promise(() => undefined);
    const send = pinnedTransport({ allowHttpLoopback: true, allowedHosts: ["hooks.invalid"] }, silent);
    const started = Date.now();
    const outcome = await Promise.race([
      send({ url: "http://hooks.invalid:9/x", headers: {}, body: "{}", timeoutMs: 300 }).then(
        () => "answered",
        (error: Error) => error.message,
      ),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 3_000)),
    ]);
    expect(outcome).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("a webhook URL naming a private address in another spelling", () => {
  const strict = { allowHttpLoopback: false, allowedHosts: [] };
  it.each([
    "https://2130706433/",
    "https://0177.0.0.1/",
    "https://0x7f.1/",
    "https://127.1/",
    "https://0/",
    "https://\uff11\uff12\uff17.0.0.1/",
    "https://127\u30020\u30020\u30021/",
    "https://[::ffff:127.0.0.1]/",
    "https://[0:0:0:0:0:ffff:a00:1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[0:0:0:0:0:0:0:1]/",
    "https://[64:ff9b::a9fe:a9fe]/",
  ])("refuses %s at creation, before any lookup", (url) => {
    expect(() => checkUrl(url, strict)).toThrow(RefusedTarget);
  });
});

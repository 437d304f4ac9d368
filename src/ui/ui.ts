import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Route } from "../http/http-server";
import { CONTENT_TYPES, defaultPlaygroundDir, loadAssets, sendAsset, type Asset } from "../playground/playground";

/** Where the history page's built files are served from (vite's `base` + "assets/"). */
export const UI_ASSETS_PATH = "/ui/assets/";

/**
 * The history page loads and connects to this server only. Unlike the playground it needs no
 * inline styles and no workers: the page sets styles only through the DOM, which CSP allows.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The folder vite builds the history page into: dist/ui under the package root. */
export function defaultUiDir(): string {
  return join(defaultPlaygroundDir(), "..", "ui");
}

/**
 * The history page (ui/), served at / and at every /ui/… path, so that a deep link such as
 * /ui/deployments/dep_1 opens the page, which then routes in the browser. Returns the routes to
 * add to the server's table; "/ui/*" is the server's prefix route.
 */
export function uiRoutes(dir = defaultUiDir()): Record<string, Route> {
  const index = join(dir, "index.html");
  if (!existsSync(index)) {
    const notBuilt: Route = (_req, res) =>
      void res
        .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
        .end("The history page is not built: run `npm run build`. The API itself works: POST GraphQL to /graphql.\n");
    return { "/": notBuilt, "/ui/*": notBuilt };
  }
  const html: Asset = { body: readFileSync(index), type: CONTENT_TYPES[".html"]!, gzipped: null };
  const page: Route = (req, res) =>
    sendAsset(req, res, html, "no-cache", { "content-security-policy": CONTENT_SECURITY_POLICY, "referrer-policy": "no-referrer" });
  const notFound: Route = (_req, res) => void res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
  return {
    ...loadAssets(join(dir, "assets"), UI_ASSETS_PATH),
    "/": page,
    "/ui": page,
    // A file of an older build is gone rather than answered with the page (which would not run as a script).
    "/ui/*": (req, res, url) => (url.pathname.startsWith(UI_ASSETS_PATH) ? notFound(req, res, url) : page(req, res, url)),
  };
}

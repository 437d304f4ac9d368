import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, extname, join } from "node:path";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import type { Route } from "../http/http-server";

/** Where the playground's built files are served from (vite's `base`). */
export const ASSETS_PATH = "/playground/assets/";

export const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ttf": "font/ttf",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

/**
 * What the page may load and connect to: only this server. The bundle needs none of the rest;
 * should a dependency ever reach for a CDN, the browser refuses instead of leaking the page.
 * Styles allow inline because Monaco adds <style> elements at run time; fonts are data: URLs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const gzipAsync = promisify(gzip);

export interface Asset {
  body: Buffer;
  type: string;
  gzipped: Promise<Buffer> | null;
}

/** The folder vite builds the playground into: dist/playground under the package root. */
export function defaultPlaygroundDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "dist", "playground");
}

/** Only the first GET of a page in a browser: a GET with a query (or from a client) is GraphQL. */
export function wantsPlayground(req: IncomingMessage, url: URL): boolean {
  return (req.method === "GET" || req.method === "HEAD") && !url.searchParams.has("query") && (req.headers.accept ?? "").includes("text/html");
}

export function sendAsset(
  req: IncomingMessage,
  res: ServerResponse,
  asset: Asset,
  cacheControl: string,
  extra: Record<string, string> = {},
): Promise<void> | void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("Method not allowed\n");
    return;
  }
  const headers = { "content-type": asset.type, "cache-control": cacheControl, "x-content-type-options": "nosniff", vary: "accept-encoding", ...extra };
  // Worth compressing: the bundle is ~7 MB, ~2 MB gzipped; compressed once, on first request.
  if (asset.body.length > 1024 && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    asset.gzipped ??= gzipAsync(asset.body, { level: 6 });
    return asset.gzipped.then((body) => {
      res.writeHead(200, { ...headers, "content-encoding": "gzip", "content-length": String(body.length) });
      res.end(req.method === "HEAD" ? undefined : body);
    });
  }
  res.writeHead(200, { ...headers, "content-length": String(asset.body.length) });
  res.end(req.method === "HEAD" ? undefined : asset.body);
}

export interface Playground {
  /** Routes of the built files, one exact path each (/playground/assets/<hashed name>). */
  assets: Record<string, Route>;
  /** Serves the page, or explains how to build it when dist/playground is missing. */
  page: Route;
}

/**
 * The GraphiQL playground built by vite (playground/): its files are listed at start and read
 * on first use, so only what a browser asks for is held in memory.
 */
export function loadPlayground(dir = defaultPlaygroundDir()): Playground {
  const index = join(dir, "index.html");
  if (!existsSync(index)) {
    return {
      assets: {},
      page: (_req, res) =>
        void res
          .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
          .end("The GraphQL playground is not built: run `npm run build`. The API itself works: POST GraphQL to /graphql.\n"),
    };
  }
  const assets = loadAssets(join(dir, "assets"), ASSETS_PATH);
  const page: Asset = { body: readFileSync(index), type: CONTENT_TYPES[".html"]!, gzipped: null };
  return {
    assets,
    page: (req, res) => sendAsset(req, res, page, "no-cache", { "content-security-policy": CONTENT_SECURITY_POLICY, "referrer-policy": "no-referrer" }),
  };
}

/**
 * Routes of a vite build's hashed files, one exact path each (`prefix` + name): listed at start,
 * read on first use, so only what a browser asks for is held in memory.
 */
export function loadAssets(assetDir: string, prefix: string): Record<string, Route> {
  const assets: Record<string, Route> = {};
  for (const name of existsSync(assetDir) ? readdirSync(assetDir) : []) {
    let asset: Asset | null = null;
    const load = () =>
      (asset ??= { body: readFileSync(join(assetDir, name)), type: CONTENT_TYPES[extname(name)] ?? "application/octet-stream", gzipped: null });
    // Names carry a content hash, so a browser may keep them for good.
    assets[prefix + name] = (req, res) => sendAsset(req, res, load(), "public, max-age=31536000, immutable");
  }
  return assets;
}

/** /graphql: the playground for a browser's GET, GraphQL (POST, GET with a query) otherwise. */
export function withPlayground(graphql: Route, page: Route): Route {
  return (req, res, url) => (wantsPlayground(req, url) ? page(req, res, url) : graphql(req, res, url));
}

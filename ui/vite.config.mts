import { defineConfig } from "vite";

/**
 * Builds the history page into dist/ui at build time. The server serves index.html at / and at
 * every /ui/… path (deep links route in the browser) and the hashed files under /ui/assets/;
 * nothing is fetched from any other host.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/ui/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../dist/ui",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // Every file stays a file of its own, so the page works under a strict CSP (no data: URLs).
    assetsInlineLimit: 0,
    // The page is one small chunk; a warning here means a heavy dependency crept in.
    chunkSizeWarningLimit: 100,
  },
});

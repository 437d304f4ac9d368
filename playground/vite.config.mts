import { defineConfig } from "vite";

/**
 * Builds the GraphiQL playground into dist/playground at build time (GraphiQL 5 is ESM only and
 * Monaco needs its workers bundled). The server serves index.html for a browser GET /graphql
 * and the hashed files under /playground/assets/; nothing is fetched from any other host.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/playground/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic" } },
  worker: { format: "es" },
  build: {
    outDir: "../dist/playground",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // Monaco alone is several MB; one large chunk is expected here.
    chunkSizeWarningLimit: 8_000,
    // Every file stays a file of its own, so the page works under a strict CSP (no data: scripts).
    assetsInlineLimit: 0,
    rolldownOptions: {
      // framer-motion marks modules "use client" (for React Server Components); meaningless here.
      onLog(level, log, handler) {
        if (log.code !== "MODULE_LEVEL_DIRECTIVE") handler(level, log);
      },
    },
  },
});

#!/usr/bin/env node
/**
 * Builds dist/: the server (tsc), the playground bundle (vite, ~7 MB, the slow part) and the
 * history page's bundle (vite, ~20 KB gzipped).
 *
 *   node scripts/build.mjs                      build every part
 *   node scripts/build.mjs --if-stale           build only the parts that are missing or older than their sources
 *   node scripts/build.mjs --only server        one part (server | playground | ui); combines with --if-stale
 *
 * A part counts as built when its stamp (dist/.build/<part>) is newer than every one of its
 * sources; the stamp is written only after the part built without error, so a failed or
 * interrupted build is never taken for a fresh one. `npm start` and the e2e test setup use
 * --if-stale, so an unchanged tree starts at once.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STAMPS = join(ROOT, "dist", ".build");
const bin = (path) => join(ROOT, "node_modules", path);

/** Each part: what it is built from, and how. */
export const PARTS = {
  server: {
    sources: ["src", "migrations", "tsconfig.json", "tsconfig.build.json", "package-lock.json"],
    command: [bin("typescript/bin/tsc"), "-p", "tsconfig.build.json"],
  },
  playground: {
    sources: ["playground", "schema.graphql", "package-lock.json"],
    command: [bin("vite/bin/vite.js"), "build", "--config", "playground/vite.config.mts"],
  },
  ui: {
    sources: ["ui", "package-lock.json"],
    command: [bin("vite/bin/vite.js"), "build", "--config", "ui/vite.config.mts"],
  },
  // Type declarations of waymark/client only (its JavaScript is part of the server build).
  client: {
    sources: ["src/client", "src/errors.ts", "tsconfig.json", "tsconfig.client.json", "package-lock.json"],
    command: [bin("typescript/bin/tsc"), "-p", "tsconfig.client.json"],
  },
};

/** The newest modification time under `path` (0 when it does not exist). */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Whether `part` needs building: no stamp, or a source changed after it. */
export function isStale(part) {
  const stamp = join(STAMPS, part);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return PARTS[part].sources.some((source) => newestMtime(join(ROOT, source)) > built);
}

export function build(part) {
  const started = new Date();
  execFileSync(process.execPath, PARTS[part].command, { cwd: ROOT, stdio: "inherit" });
  mkdirSync(STAMPS, { recursive: true });
  const stamp = join(STAMPS, part);
  writeFileSync(stamp, `${started.toISOString()}\n`);
  // The stamp carries the time the build started: a source saved during the build counts as newer.
  utimesSync(stamp, started, started);
}

function main(argv) {
  const ifStale = argv.includes("--if-stale");
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : null;
  if (only !== null && !(only in PARTS)) {
    process.stderr.write(`build: --only takes ${Object.keys(PARTS).join(" or ")}, not ${String(only)}\n`);
    process.exit(2);
  }
  for (const part of only ? [only] : Object.keys(PARTS)) {
    if (ifStale && !isStale(part)) continue;
    process.stderr.write(`build: ${part}\n`);
    build(part);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    // The compiler or bundler has printed its own messages.
    process.exit(typeof error?.status === "number" && error.status > 0 ? error.status : 1);
  }
}

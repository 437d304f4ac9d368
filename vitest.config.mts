import { defineConfig } from "vitest/config";

// Decorator metadata must be emitted the way tsc emits it, or type-graphql and TypeORM
// reflect the wrong types under vitest; `graphql` is aliased to one entry point so that
// the schema and the executor share a single realm.
const shared = {
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: {
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
};

const RELIABILITY = "test/e2e/reliability-*.test.ts";

/** What the suites that run real servers share; each project's global setup starts its own MariaDB and Redis. */
const endToEnd = {
  setupFiles: ["reflect-metadata"],
  globalSetup: ["test/support/global-setup.ts"],
  testTimeout: 60_000,
  // The hostile-input suite checks heap use after a forced GC.
  execArgv: ["--expose-gc"],
  hookTimeout: 120_000,
};

export default defineConfig({
  ...shared,
  test: {
    projects: [
      {
        ...shared,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], setupFiles: ["reflect-metadata"], sequence: { groupOrder: 0 } },
      },
      {
        ...shared,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: [RELIABILITY],
          ...endToEnd,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Load and chaos suites: they kill and restart database and Redis servers and saturate the
        // machine, so they get their own MariaDB and Redis (this project's global setup starts a
        // second pair), run one file at a time, and start after the functional suites have ended.
        ...shared,
        test: {
          name: "reliability",
          include: [RELIABILITY],
          ...endToEnd,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

import { defineConfig } from "vitest/config";

// Decorator metadata must be emitted the way tsc emits it, or type-graphql and TypeORM
// reflect the wrong types under vitest; `graphql` is aliased to one entry point so that
// the schema and the executor share a single realm.
const shared = {
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: "graphql/index.js" },
    ],
  },
};

export default defineConfig({
  ...shared,
  test: {
    projects: [
      {
        ...shared,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], setupFiles: ["reflect-metadata"] },
      },
      {
        ...shared,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          setupFiles: ["reflect-metadata"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          // The hostile-input suite checks heap use after a forced GC.
          execArgv: ["--expose-gc"],
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

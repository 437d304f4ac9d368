import js from "@eslint/js";
import graphql from "@graphql-eslint/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "data/", "coverage/", ".tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "error",
    },
  },
  {
    // Rules that need the type checker: a promise nobody awaits or handles loses its rejection,
    // and one passed where a callback's result is ignored (an event handler) does too.
    files: ["**/*.ts", "**/*.tsx", "**/*.mts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    files: ["test/**", "bench/**", "src/cli/**", "src/main.ts", "src/migrate.ts", "src/schema/print.ts"],
    rules: { "no-console": "off" },
  },
  {
    // Tests read GraphQL responses, which are untyped JSON.
    files: ["test/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The committed API contract: graphql-eslint's schema rules, recommended and Relay presets.
    files: ["schema.graphql"],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig: { schema: "schema.graphql" } } },
    plugins: { "@graphql-eslint": graphql },
    rules: {
      ...graphql.configs["flat/schema-recommended"].rules,
      ...graphql.configs["flat/schema-relay"].rules,
      // Ids are for entities a client refetches or normalises (the Node types, ApiKey, Workspace).
      // Payloads, connections and edges are envelopes; CodePin and SourceInfo are values of their
      // version (no identity of their own); Viewer is the caller, which has no id to refetch by.
      "@graphql-eslint/strict-id-in-types": [
        "error",
        { exceptions: { types: ["CodePin", "SourceInfo", "Viewer", "PageInfo"], suffixes: ["Payload", "Connection", "Edge"] } },
      ],
      // Relay's rule that a list may wrap only an edge type is meant for lists of entities, which
      // are all connections here. The remaining lists are of scalars or enums (tags, scopes,
      // warnings) and nodes(ids:), which Relay's own specification defines as a plain list.
      "@graphql-eslint/relay-edge-types": ["error", { listTypeCanWrapOnlyEdgeType: false }],
      // ErrorCode is unreachable on purpose: no field returns it; it is in the schema so that
      // codegen types extensions.code (test/e2e/error-problems.test.ts checks it lists every code).
      "@graphql-eslint/no-unreachable-types": "off",
    },
  },
);

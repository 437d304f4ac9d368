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
      // Ids are for entities a client refetches or normalises (the Node types, ApiKey, Workspace,
      // Webhook, WebhookDelivery, AuditEntry). The exceptions have no identity of their own: payloads,
      // connections and edges are envelopes; CodePin, SourceInfo, DeploymentPin, DeploymentRetention
      // and VersionFlag are values of their deployment or version (a client caches them inside it);
      // SettingChange, VersionChange and VersionDiff are computed from two states; WebhookAttempt is a
      // line of its delivery; LivePeriod is a span between two live-log entries (each of which has an
      // id); Viewer is the caller, which has no id to refetch by.
      "@graphql-eslint/strict-id-in-types": [
        "error",
        {
          exceptions: {
            types: [
              "CodePin",
              "SourceInfo",
              "Viewer",
              "PageInfo",
              "DeploymentPin",
              "DeploymentRetention",
              "VersionFlag",
              "SettingChange",
              "VersionChange",
              "VersionDiff",
              "WebhookAttempt",
              "LivePeriod",
            ],
            suffixes: ["Payload", "Connection", "Edge"],
          },
        },
      ],
      // Relay's rule that a list may wrap only an edge type is meant for lists of entities, which
      // are all connections here. The remaining lists are of scalars or enums (tags, scopes,
      // warnings), values of their parent (a diff's changes, a delivery's attempts) and nodes(ids:),
      // which Relay's own specification defines as a plain list. An edge's node must be an object
      // (Relay needs no more); the ones a client refetches implement Node, and
      // test/unit/schema-relay.test.ts says which those are, so the option that would demand it of
      // LivePeriod (a span, see above) is off.
      "@graphql-eslint/relay-edge-types": ["error", { listTypeCanWrapOnlyEdgeType: false, shouldImplementNode: false }],
      // ErrorCode is unreachable on purpose: no field returns it; it is in the schema so that
      // codegen types extensions.code (test/e2e/error-problems.test.ts checks it lists every code).
      "@graphql-eslint/no-unreachable-types": "off",
    },
  },
);

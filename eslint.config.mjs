import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "data/", "coverage/", ".tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: [] }],
    },
  },
  {
    files: ["test/**", "bench/**", "src/cli/**", "src/main.ts", "src/migrate.ts", "src/schema/print.ts"],
    rules: { "no-console": "off" },
  },
);

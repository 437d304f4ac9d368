import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import config from "../../codegen";

const ROOT = resolve(__dirname, "../..");

describe("the typed client's generated code", () => {
  it("is what graphql-codegen makes of schema.graphql and the client's operations now (run `npm run codegen` after a schema change)", async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = await generate({ ...config, silent: true, cwd: ROOT }, false);
      expect(outputs).toHaveLength(1);
      const [output] = outputs;
      expect(output!.filename).toMatch(/src\/client\/generated\.ts$/);
      expect(output!.content, "src/client/generated.ts is stale: run npm run codegen").toBe(readFileSync(resolve(ROOT, "src/client/generated.ts"), "utf8"));
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);
});

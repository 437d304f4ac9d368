import "reflect-metadata";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { printSchema } from "graphql";
import { buildWaymarkSchema } from "./build";

/** The committed contract: `schema.graphql`, sorted. */
export async function printWaymarkSchema(): Promise<string> {
  return `${printSchema(await buildWaymarkSchema())}\n`;
}

async function main() {
  const printed = await printWaymarkSchema();
  if (!process.argv.includes("--check")) {
    process.stdout.write(printed);
    return;
  }
  const file = resolve(__dirname, "../../../schema.graphql");
  if (readFileSync(file, "utf8") !== printed) {
    console.error("schema.graphql differs from the resolvers: run `npm run schema` and commit the result");
    process.exit(1);
  }
  console.log("schema.graphql matches the resolvers");
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

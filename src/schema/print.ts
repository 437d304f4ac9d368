import "reflect-metadata";
import { printSchema } from "graphql";
import { buildWaymarkSchema } from "./build";

/**
 * The committed contract: `schema.graphql`, sorted. `npm run schema` writes it from the tsc build;
 * test/unit/schema.test.ts fails when the resolvers (as vitest compiles them) print anything else,
 * which is the one drift check.
 */
export async function printWaymarkSchema(): Promise<string> {
  return `${printSchema(await buildWaymarkSchema())}\n`;
}

if (require.main === module) {
  printWaymarkSchema().then(
    (printed) => process.stdout.write(printed),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

#!/usr/bin/env node
import { run } from "./run";

// exitCode rather than process.exit(): pending stdout writes to a pipe are flushed before Node exits.
run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  fetch: globalThis.fetch,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  // run() reports every failure itself; this is only for one in the reporting.
  (error: unknown) => {
    process.stderr.write(`waymark: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

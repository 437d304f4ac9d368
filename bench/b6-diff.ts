/**
 * B6: the version diff of two 256 KiB job-variable documents, computed in-process (no server):
 * the same walk `versionDiff` runs. One document of many small keys and lists; the other changes
 * one value in ten, adds and removes keys, and changes a few types.
 */
import { performance } from "node:perf_hooks";
import { jsonDiff } from "../src/release/json-diff";

const TARGET = 256 * 1024;

function documents(): [Record<string, unknown>, Record<string, unknown>] {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (let i = 0; JSON.stringify(before).length < TARGET; i++) {
    const entry = { name: `svc-${i}`, replicas: i % 7, env: { KEY: `value-${i}`, "path/with~slash": i }, args: [`--n=${i}`, "--x"] };
    before[`k${i}`] = entry;
    if (i % 10 === 0) after[`k${i}`] = { ...entry, replicas: (i % 7) + 1, args: [`--n=${i}`] };
    else if (i % 97 === 0) after[`k${i}`] = [entry.name];
    else if (i % 89 !== 0) after[`k${i}`] = entry;
    if (i % 83 === 0) after[`new${i}`] = { added: true };
  }
  return [before, after];
}

const [before, after] = documents();
const sizes = [before, after].map((d) => (JSON.stringify(d).length / 1024).toFixed(0));
for (let i = 0; i < 5; i++) jsonDiff(before, after); // warm up
const times: number[] = [];
let changes = 0;
for (let i = 0; i < 50; i++) {
  const start = performance.now();
  changes = jsonDiff(before, after).length;
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(
  `documents ${sizes.join(" KiB / ")} KiB, ${changes} changes, 50 runs: median ${times[25]!.toFixed(2)} ms, p95 ${times[47]!.toFixed(2)} ms, max ${times[49]!.toFixed(2)} ms`,
);

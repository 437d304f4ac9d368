import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package under node_modules, our src/, or node itself. */
function owner(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.includes("/dist/src/")) return "waymark src";
  if (url.startsWith("node:")) return "node internals";
  return url ? url : "(native / gc / idle)";
}

/** The newest .cpuprofile in `dir`, parsed; null when none was written. */
function newestProfile(dir: string): { file: string; profile: Profile } | null {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort()
    .at(-1);
  return file ? { file, profile: JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile } : null;
}

/** A frame as the tables name it: function, file (from its package or dist/) and line. */
function label(frame: ProfileNode["callFrame"]): string {
  return `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*node_modules\//, "").replace(/^.*\/dist\//, "dist/")}:${frame.lineNumber + 1}`;
}

/** Self time by frame and by owner, from the newest .cpuprofile in `dir`; markdown tables. */
export function summariseProfile(dir: string, top = 20): string {
  const newest = newestProfile(dir);
  if (!newest) return "(no profile written)";
  const { file, profile } = newest;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  const frames = new Map<string, number>();
  const owners = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    total += us;
    if (frame.functionName === "(idle)") continue;
    const name = label(frame);
    frames.set(name, (frames.get(name) ?? 0) + us);
    const o = frame.functionName.startsWith("(") ? frame.functionName : owner(frame.url);
    owners.set(o, (owners.get(o) ?? 0) + us);
  }
  const pct = (us: number) => ((100 * us) / total).toFixed(1);
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `| ${pct(us)} % | \`${k}\` |`)
      .join("\n");
  return `Profile ${file}, ${(total / 1e6).toFixed(1)} s sampled.\n\nSelf time by owner:\n\n| self | owner |\n|---|---|\n${rows(owners)}\n\nTop frames by self time:\n\n| self | frame |\n|---|---|\n${rows(frames)}\n`;
}

/**
 * Total (inclusive) time by frame from the newest .cpuprofile in `dir`: the share of the busy
 * samples with the frame anywhere on their stack (once per sample, whatever the recursion), as
 * a markdown table of the `top` largest, for the frames whose owner `include` accepts.
 */
export function summariseInclusive(dir: string, top = 30, include: (owner: string) => boolean = (o) => o === "waymark src"): string {
  const newest = newestProfile(dir);
  if (!newest) return "(no profile written)";
  const { profile } = newest;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === "(idle)" || leaf.callFrame.functionName === "(program)") return;
    busy += us;
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const key = label(n.callFrame);
      if (!seen.has(key) && include(owner(n.callFrame.url))) totals.set(key, (totals.get(key) ?? 0) + us);
      seen.add(key);
    }
  });
  const rows = [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => `| ${((100 * us) / busy).toFixed(1)} % | \`${k}\` |`)
    .join("\n");
  return `Total time of the busy samples (${(busy / 1e6).toFixed(1)} s, idle and (program) left out), by frame:\n\n| total | frame |\n|---|---|\n${rows}\n`;
}

import { readFileSync } from "node:fs";

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc. */
export function cpuMs(pid: number): number {
  // Fields after the command name (which may contain spaces): utime and stime are the 12th
  // and 13th, in clock ticks (100 per second on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU ms per request of each named process over `run`. */
export async function cpuPerRequest<T extends { requests: number }>(
  pids: Record<string, number>,
  run: () => Promise<T>,
): Promise<{ result: T; perRequest: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  const result = await run();
  const perRequest = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, (cpuMs(pid) - before[name]!) / Math.max(1, result.requests)]));
  return { result, perRequest };
}

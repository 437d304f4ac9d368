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

/**
 * Where the shared cores go: CPU ms per request of each named process (the server, the
 * database, the load generator…) for every run measured, as a markdown table. A ratio limited
 * by the cores, not by the server, shows here as such.
 */
export class CpuTable {
  private readonly rows: string[] = [];

  constructor(
    private readonly pids: Record<string, number>,
    private readonly per = "request",
  ) {}

  /** Runs `run` and records its row; `pids` replaces some of the table's processes for this run (same names). */
  async measure<T extends { label: string; requests: number }>(run: () => Promise<T>, pids: Record<string, number> = {}): Promise<T> {
    const { result, perRequest } = await cpuPerRequest({ ...this.pids, ...pids }, run);
    this.rows.push(
      `| ${result.label} | ${Object.values(perRequest)
        .map((ms) => ms.toFixed(3))
        .join(" | ")} |`,
    );
    return result;
  }

  toString(): string {
    const names = Object.keys(this.pids);
    return `CPU ms per ${this.per}:\n\n| run | ${names.join(" | ")} |\n|---|${names.map(() => "---|").join("")}\n${this.rows.join("\n")}\n`;
  }
}

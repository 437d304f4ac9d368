import type { ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** The state letter of each thread of `pid` (R running, S sleeping, T stopped…), from /proc. */
function threadStates(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    try {
      // "tid (comm) S …": the state follows the last ")", since comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    } catch {
      return "gone";
    }
  });
}

/**
 * Freezes a process as a hung host does (SIGSTOP: its sockets stay open, nothing answers) and
 * resolves once every one of its threads has stopped. kill() returns before that: a thread busy
 * on the other core can still answer a statement sent a millisecond later.
 */
export async function freeze(child: ChildProcess, ms = 2_000): Promise<void> {
  child.kill("SIGSTOP");
  const until = Date.now() + ms;
  while (threadStates(child.pid!).some((state) => state !== "T" && state !== "t" && state !== "gone")) {
    if (Date.now() > until) throw new Error(`process ${child.pid} did not stop within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

import type { Database } from "../db/database";
import type { RedisBus } from "../redis-bus";
import { TimedOut, within } from "../timeout";

export interface ReadinessCheck {
  ok: boolean;
  /** Why it is not ok. */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

export interface ReadinessDeps {
  db: Database;
  bus: RedisBus | null;
  /** Each check fails after this long, so a hung store never hangs the probe. */
  timeoutMs: number;
  /** True once the server is shutting down: load balancers should stop sending it traffic. */
  draining: () => boolean;
}

async function check(ms: number, probe: () => Promise<void>): Promise<ReadinessCheck> {
  try {
    await within(ms, probe());
    return { ok: true };
  } catch (error) {
    // The reason for the operator, not the driver's full text (which can carry hosts and SQL).
    const reason = error instanceof TimedOut ? error.message : ((error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error)));
    return { ok: false, error: reason.slice(0, 200) };
  }
}

/**
 * Readiness: the database answers a trivial query, is (on Galera) a synced node of the primary
 * component, and has every migration this build knows,
 * and Redis answers PING when configured. Probes that arrive while one is running share it, so
 * a slow store never piles up probe queries.
 */
export function createReadiness({ db, bus, timeoutMs, draining }: ReadinessDeps): () => Promise<Readiness> {
  // The migration list is fixed at build time, so once none is pending none can become pending.
  let migrated = false;
  let running: Promise<Readiness> | null = null;
  const run = async (): Promise<Readiness> => {
    const checks: Record<string, ReadinessCheck> = {};
    const probes: Array<Promise<void>> = [
      check(timeoutMs, async () => {
        await db.reader.query("SELECT 1");
        // A Galera node cut off from the cluster, or still joining it, still answers SELECT 1.
        const problem = await db.cluster.problem();
        if (problem) throw new Error(problem);
        if (!migrated && (await db.dataSource.showMigrations())) throw new Error("migrations are pending: run npm run migrate");
        migrated = true;
      }).then((result) => void (checks.database = result)),
    ];
    if (bus) {
      probes.push(
        check(timeoutMs, async () => {
          if (!(await bus.ping())) throw new Error("no answer to PING");
        }).then((result) => void (checks.redis = result)),
      );
    }
    await Promise.all(probes);
    if (draining()) checks.server = { ok: false, error: "shutting down" };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
  return () => {
    running ??= run().finally(() => (running = null));
    return running;
  };
}

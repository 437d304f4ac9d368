import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../support/server";
import { startServerProcess, type ServerProcess } from "../support/server-process";
import { runClients, send, seededRandom, Tally, type Outcome } from "../support/load";
import { integrityViolations, readHistory, sequenceGaps, violationsOf, type HistoryChange } from "../support/reliability-history";
import { CREATE, PROMOTE, ROLLBACK } from "../support/reliability-ops";

const CLIENTS = 32;
const DURATION_MS = 20_000;
const MAX_OPS_PER_CLIENT = 2_000;
const SEED = Number(process.env.WAYMARK_STORM_SEED ?? 20_240_601);
/** Refusals a racing client may legitimately get; anything else fails the test. */
const EXPECTED = new Set(["ALREADY_LIVE", "NOT_OLDER_THAN_LIVE", "NOT_NEWER_THAN_LIVE", "VERSION_NOT_FOUND", "LIVE_VERSION_CONFLICT"]);

const MOVE = { rollback: ROLLBACK, promote: PROMOTE };

/** What the clients know of a deployment: enough to aim compare-and-sets and targets at it. */
interface Known {
  id: string;
  live: string;
  liveSequence: number;
  versionIds: string[];
}

// docs/design.md, "Invariants" and "Compare-and-set", across two server processes sharing one MariaDB, under a 20-second storm.
describe("R1 write storm: 32 clients, two instances, one MariaDB", () => {
  let servers: ServerProcess[] = [];
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase("mysql");
    servers = await Promise.all([startServerProcess({ DATABASE_URL: database.url }), startServerProcess({ DATABASE_URL: database.url })]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await database?.drop();
  });

  it("keeps every invariant, loses no acknowledged change and answers only expected refusals", async () => {
    const urls = servers.map((s) => s.url);
    const known: Known[] = [];
    for (const name of ["alpha", "beta", "gamma"]) {
      const created = await send(urls[0]!, CREATE, { input: { flowName: "storm", name, entrypoint: "flows/storm.py:seed" } });
      expect(created.kind, JSON.stringify(created)).toBe("ok");
      const { version, change } = created.data.createVersion;
      known.push({ id: change.deployment.id, live: version.id, liveSequence: change.sequence, versionIds: [version.id] });
    }
    const acknowledged = new Map<string, HistoryChange>();
    const createdVersions = new Map<string, number>();
    const tally = new Tally();
    const unexpected: unknown[] = [];
    const keyed = new Map<string, Outcome[]>();

    const record = (label: string, outcome: Outcome, field: string) => {
      tally.add(`${label} ${outcome.kind}`);
      for (const code of outcome.codes) tally.add(`error ${code}`);
      if (outcome.kind !== "ok" && !(outcome.kind === "error" && outcome.codes.every((c) => EXPECTED.has(c)))) {
        unexpected.push({ label, kind: outcome.kind, status: outcome.status, errors: outcome.errors, failure: outcome.failure });
      }
      if (outcome.kind !== "ok") return;
      const change: HistoryChange = field === "createVersion" ? outcome.data.createVersion.change : outcome.data[field].change;
      acknowledged.set(change.id, change);
      const deployment = known.find((d) => d.id === change.deployment.id)!;
      if (field === "createVersion") {
        const version = outcome.data.createVersion.version as { id: string; number: number };
        createdVersions.set(version.id, version.number);
        if (!deployment.versionIds.includes(version.id)) deployment.versionIds.push(version.id);
      }
      // Answers arrive out of order: only a later sequence tells what is live now.
      if (change.sequence > deployment.liveSequence) Object.assign(deployment, { live: change.liveVersion.id, liveSequence: change.sequence });
    };

    const randoms = Array.from({ length: CLIENTS }, (_, n) => seededRandom(SEED + n));
    const step = async (n: number, op: number) => {
      const random = randoms[n]!;
      const [here, there] = [urls[(n + op) % 2]!, urls[(n + op + 1) % 2]!];
      const deployment = known[Math.floor(random() * known.length)]!;
      const roll = random();
      const expected = random() < 0.3 ? { expectedLiveVersionId: deployment.live } : {};
      if (roll < 0.45) {
        const input = { deploymentId: deployment.id, entrypoint: `flows/storm.py:c${n}o${op}`, ...expected };
        if (roll < 0.25) {
          // A keyed request and its retry through the other instance: in turn, or racing each other.
          const keyedInput = { ...input, idempotencyKey: `storm-${n}-${op}` };
          const racing = roll < 0.12;
          const outcomes = racing
            ? await Promise.all([send(here, CREATE, { input: keyedInput }), send(there, CREATE, { input: keyedInput })])
            : [await send(here, CREATE, { input: keyedInput }), await send(there, CREATE, { input: keyedInput })];
          keyed.set(keyedInput.idempotencyKey, outcomes);
          for (const outcome of outcomes) record(racing ? "create keyed racing" : "create keyed in turn", outcome, "createVersion");
        } else {
          record("create", await send(here, CREATE, { input }), "createVersion");
        }
        return;
      }
      const kind = roll < 0.75 ? "rollback" : "promote";
      const target = random();
      const aim =
        target < 0.34
          ? {}
          : target < 0.67
            ? { number: 1 + Math.floor(random() * (deployment.versionIds.length + 1)) }
            : { versionId: deployment.versionIds[Math.floor(random() * deployment.versionIds.length)] };
      record(kind, await send(here, MOVE[kind], { input: { deploymentId: deployment.id, ...aim, ...expected } }), kind);
    };
    const ops = await runClients({ clients: CLIENTS, durationMs: DURATION_MS, maxOpsPerClient: MAX_OPS_PER_CLIENT }, step);

    const histories = await Promise.all(known.map((d) => readHistory(urls[1]!, d.id)));
    const logged = new Map(histories.flatMap((h) => h.changes).map((c) => [c.id, c]));
    const versionNumbers = new Map(histories.flatMap((h) => h.versions).map((v) => [v.id, v.number]));
    // A keyed retry answers with the first outcome, never a second version; a retry after a success never fails.
    const keyedProblems = [...keyed.entries()].flatMap(([key, outcomes]) => {
      const answers = new Set(outcomes.filter((o) => o.kind === "ok").map((o) => `${o.data.createVersion.version.id}/${o.data.createVersion.change.id}`));
      const problems = answers.size > 1 ? [`${key}: ${answers.size} different answers`] : [];
      if (outcomes[0]!.kind === "ok" && outcomes[1]!.kind !== "ok" && outcomes[1]!.startedAt >= outcomes[0]!.endedAt) {
        problems.push(`${key}: retry after a success answered ${outcomes[1]!.codes.join(",")}`);
      }
      return problems;
    });
    const racingConflicts = [...keyed.values()].filter((o) => o.some((x) => x.kind === "ok") && o.some((x) => x.codes.includes("LIVE_VERSION_CONFLICT")));
    const errorLines = servers.flatMap((s) =>
      s
        .output()
        .split("\n")
        .filter((line) => line.includes('"level":50')),
    );
    console.log(
      `R1 write storm: ${ops} operations by ${CLIENTS} clients in ${DURATION_MS / 1000} s (seed ${SEED}); ` +
        `${acknowledged.size} acknowledged changes, ${logged.size} in the log; ${keyed.size} keyed pairs, ` +
        `${racingConflicts.length} where one twin succeeded and the other got LIVE_VERSION_CONFLICT`,
    );
    console.log("R1 outcomes:", JSON.stringify(tally));

    expect(unexpected.slice(0, 10)).toEqual([]);
    expect(errorLines.slice(0, 5)).toEqual([]);
    expect(histories.flatMap(violationsOf)).toEqual([]);
    expect(sequenceGaps(histories)).toEqual([]);
    expect(await integrityViolations(database.url)).toEqual([]);
    expect(keyedProblems).toEqual([]);
    const missing = [...acknowledged.values()].filter((ack) => JSON.stringify(logged.get(ack.id)) !== JSON.stringify(ack));
    expect(missing.slice(0, 5)).toEqual([]);
    const renumbered = [...createdVersions.entries()].filter(([id, number]) => versionNumbers.get(id) !== number);
    expect(renumbered.slice(0, 5)).toEqual([]);
    // Enough really happened, of every kind, for the test to mean something.
    expect(new Set([...acknowledged.values()].map((c) => c.kind))).toEqual(new Set(["CREATE", "ROLLBACK", "PROMOTE"]));
    expect(tally.get("create keyed in turn ok") + tally.get("create keyed racing ok")).toBeGreaterThan(0);
    expect(acknowledged.size).toBeGreaterThan(CLIENTS * 5);
  });

  // Rule 5: the key is checked before anything else, so copies of one keyed request that race
  // each other (a client retrying on a timeout, through another instance) all get the one outcome.
  it("answers every racing copy of a keyed createVersion with the first outcome, with or without expectedLiveVersionId", async () => {
    const urls = servers.map((s) => s.url);
    const first = await send(urls[0]!, CREATE, { input: { flowName: "storm", name: "twins", entrypoint: "flows/twins.py:seed" } });
    const deploymentId: string = first.data.createVersion.change.deployment.id;
    let live: string = first.data.createVersion.version.id;
    const rounds: string[] = [];
    for (let round = 0; round < 16; round++) {
      const expected = round % 2 === 0 ? { expectedLiveVersionId: live } : {};
      const input = { deploymentId, entrypoint: `flows/twins.py:r${round}`, idempotencyKey: `twins-${round}`, ...expected };
      const copies = await Promise.all([urls[0], urls[1], urls[0]].map((url) => send(url!, CREATE, { input })));
      const answers = copies.map((c) =>
        c.kind === "ok" ? `${c.data.createVersion.version.id}/${c.data.createVersion.change.id}` : c.codes.join(",") || c.kind,
      );
      rounds.push(`${round % 2 === 0 ? "expected" : "plain"}: ${answers.join(" ")}`);
      live = copies.find((c) => c.kind === "ok")?.data.createVersion.version.id ?? live;
    }
    const split = rounds.filter((r) => new Set(r.split(": ")[1]!.split(" ")).size > 1);
    console.log(`R1 racing keyed copies: ${split.length} of ${rounds.length} rounds answered differently`);
    expect(split).toEqual([]);
  });
});

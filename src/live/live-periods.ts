import { Field, ObjectType } from "type-graphql";
import type { Database } from "../db/database";
import { isNumberKey } from "../db/keyset";
import { DeploymentVersion } from "../version/version.type";
import { connectionFrom, connectionType, encodeCursor, pageOf, type Connection, type PageArgs } from "../pagination";
import { POINTER_MOVES } from "./live-change.entity";
import { LiveChangeKind } from "./live-change.type";

@ObjectType({ description: "A span of time during which one version was live." })
export class LivePeriod {
  /** Row key of the version, for the field resolver; not part of the schema. */
  versionKey!: number;

  @Field(() => Date, { description: "When the version became live." })
  from!: Date;

  @Field(() => Date, { nullable: true, description: "When another version replaced it; null while it is still live." })
  to!: Date | null;

  @Field(() => String, { description: "Who made it live (the API key's name)." })
  startedBy!: string;

  @Field(() => String, { nullable: true, description: "Who replaced it; null while it is still live." })
  endedBy!: string | null;

  @Field(() => LiveChangeKind, { description: "How it became live: CREATE, ROLLBACK or PROMOTE." })
  startedByKind!: LiveChangeKind;

  /** Resolved by the deployment resolver from versionKey. */
  version?: DeploymentVersion;
}

export const LivePeriodConnection = connectionType("LivePeriod", LivePeriod, "live periods");

interface MoveRow {
  sequence: number;
  live_version_id: number;
  kind: string;
  actor: string;
  at: number;
}

const MOVES = POINTER_MOVES.map((kind) => `'${kind}'`).join(", ");

/** The version live at `time`, or null before the first: one lookup on (deployment_id, at, sequence). */
export async function liveAt(db: Database, deploymentKey: number, time: Date): Promise<number | null> {
  // Every entry of the log, moves or not, names the version live once it committed.
  const [row] = await db.reads.rows<{ live_version_id: number }>(
    "SELECT live_version_id FROM live_version_change WHERE deployment_id = ? AND at <= ? ORDER BY at DESC, sequence DESC LIMIT 1",
    [deploymentKey, time.getTime()],
  );
  return row ? Number(row.live_version_id) : null;
}

/**
 * The live periods, newest first, by keyset on the sequence of the move that started each. One
 * statement per page: the page's moves plus the move just after them (the cursor's own, which
 * ended the first period of the page) and one past them (whether there is a next page).
 */
export async function livePeriods(db: Database, deploymentKey: number, args: PageArgs): Promise<Connection<LivePeriod>> {
  const page = pageOf({ first: args.first, after: args.after }, "period", isNumberKey);
  const after = page.key?.[0];
  const rows = await db.reads.rows<MoveRow>(
    `SELECT sequence, live_version_id, kind, actor, at FROM live_version_change WHERE deployment_id = ? AND kind IN (${MOVES})` +
      `${after === undefined ? "" : " AND sequence <= ?"} ORDER BY sequence DESC LIMIT ${page.size + (after === undefined ? 1 : 2)}`,
    after === undefined ? [deploymentKey] : [deploymentKey, after],
  );
  const moves = rows.map((r) => ({ ...r, sequence: Number(r.sequence), at: new Date(Number(r.at)) }));
  // The cursor's own move is not on this page: it ends the page's first period.
  const ender = after !== undefined && moves[0]?.sequence === after ? moves.shift()! : null;
  const periods = moves.map((move, i) => {
    const next = i === 0 ? ender : moves[i - 1]!;
    return Object.assign(new LivePeriod(), {
      versionKey: Number(move.live_version_id),
      from: move.at,
      to: next?.at ?? null,
      startedBy: move.actor,
      endedBy: next?.actor ?? null,
      startedByKind: move.kind as LiveChangeKind,
      sequence: move.sequence,
    });
  });
  const count = async () => {
    const [row] = await db.reads.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM live_version_change WHERE deployment_id = ? AND kind IN (${MOVES})`, [
      deploymentKey,
    ]);
    return Number(row?.n ?? 0);
  };
  const toEdge = (period: LivePeriod & { sequence: number }) => ({ cursor: encodeCursor("period", [period.sequence]), node: period as LivePeriod });
  return connectionFrom(LivePeriodConnection, page, periods, toEdge, async () => after !== undefined, count);
}

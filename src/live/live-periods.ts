import { Field, ObjectType } from "type-graphql";
import type { Database } from "../db/database";
import { isNumberKey } from "../db/keyset";
import { DeploymentVersion } from "../version/version.type";
import { connectionFrom, connectionType, encodeCursor, pageOf, type Connection, type BidirectionalPageArgs } from "../pagination";
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
  at: Date;
}

/** A move as the driver answers it: times in epoch milliseconds. */
type RawMove = Omit<MoveRow, "at"> & { at: number };

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

/** A period per move, each ended by the move after it (`enders[i]`, null while still live). */
function periodsOf(moves: MoveRow[], enders: Array<MoveRow | null>): Array<LivePeriod & { sequence: number }> {
  return moves.map((move, i) =>
    Object.assign(new LivePeriod(), {
      versionKey: Number(move.live_version_id),
      from: move.at,
      to: enders[i]?.at ?? null,
      startedBy: move.actor,
      endedBy: enders[i]?.actor ?? null,
      startedByKind: move.kind as LiveChangeKind,
      sequence: move.sequence,
    }),
  );
}

/** Newest first: each period ends at the move before it in the list, the first at the cursor's own move. */
function forwardPeriods(moves: MoveRow[], key: number | undefined): Array<LivePeriod & { sequence: number }> {
  // The cursor's own move is not on this page: it ends the page's first period.
  const ender = key !== undefined && moves[0]?.sequence === key ? moves.shift()! : null;
  return periodsOf(
    moves,
    moves.map((_, i) => (i === 0 ? ender : moves[i - 1]!)),
  );
}

const movesOf = (rows: RawMove[]): MoveRow[] => rows.map((r) => ({ ...r, sequence: Number(r.sequence), at: new Date(Number(r.at)) }));

/**
 * The live periods, newest first, by keyset on the sequence of the move that started each. One
 * statement per page. Forward: the page's moves plus the move just after them (the cursor's own,
 * which ended the first period of the page) and one past them (whether there is a next page).
 * Backward (`last`/`before`): the moves after the cursor's, oldest first, and one more, which both
 * ends the page's newest period and says there are newer ones.
 */
export async function livePeriods(db: Database, deploymentKey: number, args: BidirectionalPageArgs): Promise<Connection<LivePeriod>> {
  const page = pageOf(args, "period", isNumberKey);
  const key = page.key?.[0];
  const forward = page.direction === "forward";
  const bound = key === undefined ? "" : forward ? " AND sequence <= ?" : " AND sequence > ?";
  const extra = forward && key !== undefined ? 2 : 1;
  const rows = await db.reads.rows<RawMove>(
    `SELECT sequence, live_version_id, kind, actor, at FROM live_version_change WHERE deployment_id = ? AND kind IN (${MOVES})` +
      `${bound} ORDER BY sequence ${forward ? "DESC" : "ASC"} LIMIT ${page.size + extra}`,
    key === undefined ? [deploymentKey] : [deploymentKey, key],
  );
  const moves = movesOf(rows);
  const periods = forward
    ? forwardPeriods(moves, key)
    : periodsOf(
        moves,
        moves.map((_, i) => moves[i + 1] ?? null),
      );
  const count = async () => {
    const [row] = await db.reads.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM live_version_change WHERE deployment_id = ? AND kind IN (${MOVES})`, [
      deploymentKey,
    ]);
    return Number(row?.n ?? 0);
  };
  const toEdge = (period: LivePeriod & { sequence: number }) => ({ cursor: encodeCursor("period", [period.sequence]), node: period as LivePeriod });
  return connectionFrom(LivePeriodConnection, page, periods, toEdge, async () => key !== undefined, count);
}

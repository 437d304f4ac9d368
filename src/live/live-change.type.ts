import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { encodeId } from "../ids";
import type { LiveChangeEntity } from "./live-change.entity";
import type { LiveEvent } from "./live-event";

export enum LiveChangeKind {
  CREATE = "CREATE",
  ROLLBACK = "ROLLBACK",
  PROMOTE = "PROMOTE",
}
registerEnumType(LiveChangeKind, { name: "LiveChangeKind", description: "What moved the live pointer." });

@ObjectType({ description: "One move of a deployment's live pointer; the log is append-only." })
export class LiveVersionChange {
  /** Row keys, for field resolvers; not part of the schema. */
  deploymentKey!: number;
  previousVersionKey!: number | null;
  liveVersionKey!: number;
  workspaceKey!: number;

  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: "Per workspace, gapless, in commit order." })
  sequence!: number;

  @Field(() => LiveChangeKind)
  kind!: LiveChangeKind;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Date)
  at!: Date;
}

/** The view of a change, from its row or from the plain event that carried it (live-event.ts). */
export function toLiveChange(row: LiveChangeEntity | LiveEvent): LiveVersionChange {
  const view = new LiveVersionChange();
  view.deploymentKey = row.deploymentId;
  view.previousVersionKey = row.previousVersionId;
  view.liveVersionKey = row.liveVersionId;
  view.workspaceKey = row.workspaceId;
  view.id = encodeId("change", "changeId" in row ? row.changeId : row.id);
  view.sequence = row.sequence;
  view.kind = row.kind as LiveChangeKind;
  view.actor = row.actor;
  view.reason = row.reason;
  view.at = new Date(row.at);
  return view;
}

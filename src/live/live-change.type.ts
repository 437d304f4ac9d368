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

export function toLiveChange(row: LiveChangeEntity): LiveVersionChange {
  const view = new LiveVersionChange();
  view.deploymentKey = row.deploymentId;
  view.previousVersionKey = row.previousVersionId;
  view.liveVersionKey = row.liveVersionId;
  view.workspaceKey = row.workspaceId;
  view.id = encodeId("change", row.id);
  view.sequence = row.sequence;
  view.kind = row.kind as LiveChangeKind;
  view.actor = row.actor;
  view.reason = row.reason;
  view.at = row.at;
  return view;
}

/** The view of a change that reached a subscriber as a plain event. */
export function toLiveChangeFromEvent(event: LiveEvent): LiveVersionChange {
  const view = new LiveVersionChange();
  view.deploymentKey = event.deploymentId;
  view.previousVersionKey = event.previousVersionId;
  view.liveVersionKey = event.liveVersionId;
  view.workspaceKey = event.workspaceId;
  view.id = encodeId("change", event.changeId);
  view.sequence = event.sequence;
  view.kind = event.kind as LiveChangeKind;
  view.actor = event.actor;
  view.reason = event.reason;
  view.at = new Date(event.at);
  return view;
}

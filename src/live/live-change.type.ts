import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { encodeId } from "../ids";
import type { LiveChangeEntity } from "./live-change.entity";

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

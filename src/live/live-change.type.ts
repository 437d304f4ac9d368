import { Field, ID, Int, ObjectType } from "type-graphql";
import { schemaEnum } from "../schema/enum";
import { encodeId } from "../ids";
import { JSONScalar } from "../schema/scalars";
import type { LiveChangeEntity } from "./live-change.entity";
import type { LiveEvent } from "./live-event";
import { Node } from "../node/node.type";

export const LiveChangeKind = schemaEnum(
  "LiveChangeKind",
  "What changed: a move of the live pointer (CREATE, ROLLBACK, PROMOTE), a pin (PIN, UNPIN), or, on subscriptions only, another change of the deployment.",
  {
    CREATE: "A new version was created and made live.",
    ROLLBACK: "An older version was made live.",
    PROMOTE: "A newer version was made live.",
    SETTINGS: "Non-versioned settings changed (see settingsChanges); the live version did not move.",
    ARCHIVED: "The deployment was archived.",
    RESTORED: "The deployment was restored from the archive.",
    DELETED: "The deployment was deleted; no further changes follow.",
    PIN: "The live version was pinned: creates record versions without making them live until UNPIN. The pointer did not move.",
    UNPIN: "The pin was lifted. The pointer did not move.",
    VERSION_CREATED:
      "Subscription only, never in liveHistory: a version was recorded without going live (createdVersion). It takes no sequence: " +
      "`sequence` repeats the last live change delivered, and a resume with afterSequence does not replay it.",
  },
);
export type LiveChangeKind = (typeof LiveChangeKind)[keyof typeof LiveChangeKind];

@ObjectType({ description: "One changed non-versioned setting." })
export class SettingChange {
  @Field(() => String, { description: "The setting's name as the API spells it, e.g. paused." })
  field!: string;

  @Field(() => JSONScalar, { nullable: true, description: "The value before the change." })
  before!: unknown;

  @Field(() => JSONScalar, { nullable: true, description: "The value after the change." })
  after!: unknown;
}

@ObjectType({ description: "One move of a deployment's live pointer; the log is append-only.", implements: Node })
export class LiveVersionChange implements Node {
  /** Row keys, for field resolvers; not part of the schema. */
  deploymentKey!: number;
  previousVersionKey!: number | null;
  liveVersionKey!: number;
  workspaceKey!: number;
  /** VERSION_CREATED only: the version recorded. */
  createdVersionKey!: number | null;

  @Field(() => ID, { description: "Opaque id (chg_…)." })
  id!: string;

  @Field(() => Int, { description: "Per workspace, gapless, in commit order." })
  sequence!: number;

  @Field(() => LiveChangeKind, { description: "What moved the pointer." })
  kind!: LiveChangeKind;

  @Field(() => String, { description: "Name of the key that moved it." })
  actor!: string;

  @Field(() => String, { nullable: true, description: "Why, as the caller gave it; null when none was given." })
  reason!: string | null;

  @Field(() => Date, { description: "When the move committed." })
  at!: Date;

  @Field(() => [SettingChange], { description: "For SETTINGS: each changed setting, before and after; empty otherwise." })
  settingsChanges!: SettingChange[];
}

/** The view of a change, from its row or from the plain event that carried it (live-event.ts). */
export function toLiveChange(row: LiveChangeEntity | LiveEvent): LiveVersionChange {
  const view = new LiveVersionChange();
  view.deploymentKey = row.deploymentId;
  view.previousVersionKey = row.previousVersionId;
  view.liveVersionKey = row.liveVersionId;
  view.workspaceKey = row.workspaceId;
  view.createdVersionKey = "versionId" in row ? (row.versionId ?? null) : null;
  // A VERSION_CREATED event is no log entry: it is known by the version it recorded.
  view.id = view.createdVersionKey !== null ? encodeId("version", view.createdVersionKey) : encodeId("change", "changeId" in row ? row.changeId : row.id);
  view.sequence = row.sequence;
  view.kind = row.kind as LiveChangeKind;
  view.actor = row.actor;
  view.reason = row.reason;
  view.at = new Date(row.at);
  view.settingsChanges = (row.details?.settings ?? []).map((change) => Object.assign(new SettingChange(), change));
  return view;
}

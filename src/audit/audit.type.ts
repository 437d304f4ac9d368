import { Field, ID, ObjectType } from "type-graphql";
import { Node } from "../node/node.type";
import { encodeId } from "../ids";
import { SettingChange } from "../live/live-change.type";
import { connectionType } from "../pagination";
import { JSONScalar } from "../schema/scalars";
import type { AuditEntryEntity } from "./audit-entry.entity";
import { AuditKind } from "./audit-kinds";

@ObjectType({ description: "One audited change in the workspace. Entries are never changed, and outlive what they describe.", implements: Node })
export class AuditEntry implements Node {
  /** Row key of the deployment, for the field resolver; not part of the schema. */
  deploymentKey!: number | null;

  @Field(() => ID, { description: "The entry's id." })
  id!: string;

  @Field(() => AuditKind, { description: "What changed." })
  kind!: AuditKind;

  @Field(() => Date, { description: "When the change was committed." })
  at!: Date;

  @Field(() => String, { description: "Who made it: the name of the API key used (never taken from input)." })
  actor!: string;

  @Field(() => ID, { nullable: true, description: "The deployment changed, if any; kept after the deployment is deleted." })
  deploymentId!: string | null;

  @Field(() => String, { nullable: true, description: "The deployment's flow name at the time." })
  flowName!: string | null;

  @Field(() => String, { nullable: true, description: "The deployment's name at the time." })
  deploymentName!: string | null;

  @Field(() => ID, { nullable: true, description: "The version concerned: the one created, or the one made live." })
  versionId!: string | null;

  @Field(() => [SettingChange], { description: "For SETTINGS_CHANGED: each changed setting, before and after; empty otherwise." })
  settingsChanges!: SettingChange[];

  @Field(() => JSONScalar, { nullable: true, description: "Everything recorded about the change, by kind (e.g. the version numbers a move went from and to)." })
  details!: unknown;
}

export const AuditEntryConnection = connectionType("AuditEntry", AuditEntry, "audit entries");

export function toAuditEntry(row: AuditEntryEntity): AuditEntry {
  const view = new AuditEntry();
  view.deploymentKey = row.deploymentId;
  view.id = encodeId("audit", row.id);
  view.kind = row.kind as AuditKind;
  view.at = row.at;
  view.actor = row.actor;
  view.deploymentId = row.deploymentId === null ? null : encodeId("deployment", row.deploymentId);
  view.flowName = row.flowName;
  view.deploymentName = row.deploymentName;
  view.versionId = row.versionId === null ? null : encodeId("version", row.versionId);
  const changes = row.kind === AuditKind.SETTINGS_CHANGED ? (row.details?.changes as SettingChange[] | undefined) : undefined;
  view.settingsChanges = (changes ?? []).map((change) => Object.assign(new SettingChange(), change));
  view.details = row.details;
  return view;
}

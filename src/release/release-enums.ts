import { schemaEnum } from "../schema/enum";

export const MakeLive = schemaEnum("MakeLive", "Whether a new version becomes live.", {
  AUTO: "Live at once, unless the deployment is pinned (the default, Prefect's behaviour).",
  NEVER: "Recorded only (staged): promote or rollback makes it live later.",
});
export type MakeLive = (typeof MakeLive)[keyof typeof MakeLive];

export const NotLiveReason = schemaEnum("NotLiveReason", "Why a created version did not become live.", {
  NOT_REQUESTED: "The input said makeLive: NEVER.",
  PINNED: "The deployment's live version is pinned (pinLive); unpin, or promote with unpin: true, to move it.",
});
export type NotLiveReason = (typeof NotLiveReason)[keyof typeof NotLiveReason];

export const IfUnchanged = schemaEnum("IfUnchanged", "What createVersion does when the content equals the live version's.", {
  CREATE: "Create a new version anyway (the default, Prefect's behaviour).",
  SKIP: "Create nothing, log and publish nothing, and answer with the live version (settings are still applied).",
});
export type IfUnchanged = (typeof IfUnchanged)[keyof typeof IfUnchanged];

import { registerEnumType } from "type-graphql";

export enum MakeLive {
  AUTO = "AUTO",
  NEVER = "NEVER",
}
registerEnumType(MakeLive, {
  name: "MakeLive",
  description: "Whether a new version becomes live.",
  valuesConfig: {
    AUTO: { description: "Live at once, unless the deployment is pinned (the default, Prefect's behaviour)." },
    NEVER: { description: "Recorded only (staged): promote or rollback makes it live later." },
  },
});

export enum NotLiveReason {
  NOT_REQUESTED = "NOT_REQUESTED",
  PINNED = "PINNED",
}
registerEnumType(NotLiveReason, {
  name: "NotLiveReason",
  description: "Why a created version did not become live.",
  valuesConfig: {
    NOT_REQUESTED: { description: "The input said makeLive: NEVER." },
    PINNED: { description: "The deployment's live version is pinned (pinLive); unpin, or promote with unpin: true, to move it." },
  },
});

export enum IfUnchanged {
  CREATE = "CREATE",
  SKIP = "SKIP",
}
registerEnumType(IfUnchanged, {
  name: "IfUnchanged",
  description: "What createVersion does when the content equals the live version's.",
  valuesConfig: {
    CREATE: { description: "Create a new version anyway (the default, Prefect's behaviour)." },
    SKIP: { description: "Create nothing, log and publish nothing, and answer with the live version (settings are still applied)." },
  },
});

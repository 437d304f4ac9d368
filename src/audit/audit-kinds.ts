import { registerEnumType } from "type-graphql";

/**
 * What an audit entry records. This is the one list of kinds: a new kind of audited change
 * (pins, flags, …) is a new value here with its description, and nothing else needs to know
 * the list (the column is a plain string, the filter takes any of these values).
 */
export enum AuditKind {
  VERSION_CREATED = "VERSION_CREATED",
  LIVE_MOVED = "LIVE_MOVED",
  SETTINGS_CHANGED = "SETTINGS_CHANGED",
  DEPLOYMENT_ARCHIVED = "DEPLOYMENT_ARCHIVED",
  DEPLOYMENT_RESTORED = "DEPLOYMENT_RESTORED",
  DEPLOYMENT_DELETED = "DEPLOYMENT_DELETED",
  VERSIONS_PRUNED = "VERSIONS_PRUNED",
  API_KEY_CREATED = "API_KEY_CREATED",
  API_KEY_REVOKED = "API_KEY_REVOKED",
}

registerEnumType(AuditKind, {
  name: "AuditEntryKind",
  description: "What an audit entry records.",
  valuesConfig: {
    VERSION_CREATED: { description: "A version was created (and made live)." },
    LIVE_MOVED: { description: "The live pointer was rolled back or promoted." },
    SETTINGS_CHANGED: { description: "Non-versioned settings changed; `changes` lists each changed field." },
    DEPLOYMENT_ARCHIVED: { description: "A deployment was archived." },
    DEPLOYMENT_RESTORED: { description: "An archived deployment was restored." },
    DEPLOYMENT_DELETED: { description: "A deployment was deleted for good." },
    VERSIONS_PRUNED: { description: "The retention pass removed the bodies of old versions." },
    API_KEY_CREATED: { description: "An API key was created." },
    API_KEY_REVOKED: { description: "An API key was revoked." },
  },
});

/** The longest kind name the column must hold (kept well above today's longest). */
export const AUDIT_KIND_LENGTH = 40;

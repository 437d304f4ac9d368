import { schemaEnum } from "../schema/enum";

/**
 * What an audit entry records. This is the one list of kinds: a new kind of audited change
 * (pins, flags, …) is a new value here with its description, and nothing else needs to know
 * the list (the column is a plain string, the filter takes any of these values).
 */
export const AuditKind = schemaEnum("AuditEntryKind", "What an audit entry records.", {
  VERSION_CREATED: "A version was created (and made live).",
  LIVE_MOVED: "The live pointer was rolled back or promoted.",
  SETTINGS_CHANGED: "Non-versioned settings changed; `changes` lists each changed field.",
  DEPLOYMENT_ARCHIVED: "A deployment was archived.",
  DEPLOYMENT_RESTORED: "An archived deployment was restored.",
  DEPLOYMENT_DELETED: "A deployment was deleted for good.",
  VERSIONS_PRUNED: "The retention pass removed the bodies of old versions.",
  API_KEY_CREATED: "An API key was created.",
  API_KEY_REVOKED: "An API key was revoked.",
});
export type AuditKind = (typeof AuditKind)[keyof typeof AuditKind];

/** The longest kind name the column must hold (kept well above today's longest). */
export const AUDIT_KIND_LENGTH = 40;

import type { EntityManager } from "typeorm";
import type { Database } from "../db/database";
import { characterLength } from "../characters";
import { ErrorCode, WaymarkError, badInput } from "../errors";
import { encodeId } from "../ids";
import { WorkspaceEntity } from "../workspace/workspace.entity";
import { ApiKeyEntity } from "./api-key.entity";
import type { KeyCache } from "./key-cache";
import { AuditEntryEntity } from "../audit/audit-entry.entity";
import { auditEntry } from "../audit/audit";
import { AuditKind } from "../audit/audit-kinds";
import { displayPrefix, generateKey, hashKey, isWellFormedKey } from "./keys";
import type { Principal } from "./principal";
import { KeyScope, effectiveScopes, parseScopes } from "./scopes";

export const unauthenticated = (message: string) => new WaymarkError(ErrorCode.UNAUTHENTICATED, message);

/** Keys, workspaces and who a key belongs to. */
export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    private readonly keys: KeyCache,
  ) {}

  /**
   * The caller a key stands for; UNAUTHENTICATED when it is missing, malformed, unknown or
   * revoked. Answered from the key cache when it can be (see KeyCache for why that is safe).
   */
  async authenticate(key: string | null): Promise<Principal> {
    if (key === null) throw unauthenticated("An API key is required: send Authorization: Bearer <key>");
    if (!isWellFormedKey(key)) throw unauthenticated("The API key is malformed; keys look like wm_…");
    const principal = await this.keys.resolve(hashKey(key), this.principalByHash);
    if (!principal) throw unauthenticated("The API key is unknown or has been revoked");
    return principal;
  }

  /** The store's answer for a key hash: its principal, or null when it is unknown or revoked. */
  private readonly principalByHash = async (hash: string): Promise<Principal | null> => {
    const row = await this.db.reader
      .getRepository(ApiKeyEntity)
      .createQueryBuilder("k")
      .innerJoinAndSelect("k.workspace", "w")
      .where("k.hash = :hash", { hash })
      .getOne();
    return !row || row.revokedAt ? null : principalOf(row, row.workspace!.operator);
  };

  /** The principal used for every request when authentication is off: the operator workspace, all scopes. */
  async anonymousPrincipal(): Promise<Principal> {
    const workspace = await this.db.reader.getRepository(WorkspaceEntity).findOneOrFail({ where: { operator: true }, order: { id: "ASC" } });
    return { workspaceId: workspace.id, actor: "anonymous", scopes: effectiveScopes([KeyScope.ADMIN]), keyId: null, operator: true };
  }

  /** Which of these keys have been revoked (for open WebSocket connections). */
  async revokedAmong(keyIds: number[]): Promise<number[]> {
    if (keyIds.length === 0) return [];
    const rows = await this.db.reader
      .getRepository(ApiKeyEntity)
      .createQueryBuilder("k")
      .select("k.id")
      .where("k.id IN (:...keyIds) AND k.revokedAt IS NOT NULL", { keyIds })
      .getMany();
    return rows.map((row) => row.id);
  }

  createKey(principal: Principal, name: string, scopes: KeyScope[]): Promise<{ key: string; row: ApiKeyEntity }> {
    return this.db.write((tx) => this.insertKey(tx, principal.workspaceId, name, scopes, principal.actor));
  }

  listKeys(principal: Principal): Promise<ApiKeyEntity[]> {
    return this.db.reader.getRepository(ApiKeyEntity).find({ where: { workspaceId: principal.workspaceId }, order: { id: "ASC" } });
  }

  /**
   * Revokes a key of the caller's workspace; another workspace's key is "not found". `revoked` is
   * false for a key revoked before: there is nothing to announce, and announcing it again would
   * empty every instance's key cache, for every workspace, at each call.
   */
  async revokeKey(principal: Principal, keyId: number | null): Promise<{ row: ApiKeyEntity; revoked: boolean }> {
    return this.db.write(async (tx) => {
      const repo = tx.getRepository(ApiKeyEntity);
      const row = keyId === null ? null : await repo.findOneBy({ id: keyId, workspaceId: principal.workspaceId });
      if (!row) throw badInput("No API key with this id in your workspace");
      if (row.revokedAt) return { row, revoked: false };
      await this.keepAnAdmin(tx, row);
      row.revokedAt = this.now();
      await repo.update({ id: row.id }, { revokedAt: row.revokedAt });
      await tx.getRepository(AuditEntryEntity).insert(keyAudit(principal, AuditKind.API_KEY_REVOKED, row));
      return { row, revoked: true };
    });
  }

  /**
   * Refuses to revoke a workspace's last working admin key: nothing could manage its keys,
   * webhooks or deployments' lifecycle again (only the operator workspace has a way back, its
   * bootstrap key). The working keys are locked (MySQL; SQLite runs one write at a time), so two
   * admins revoking each other's keys at once cannot both pass.
   */
  private async keepAnAdmin(tx: EntityManager, row: ApiKeyEntity): Promise<void> {
    if (!parseScopes(row.scopes).includes(KeyScope.ADMIN)) return;
    const lock = this.db.dialect === "mysql" ? " FOR UPDATE" : "";
    const working: Array<{ id: number; scopes: string }> = await tx.query(
      `SELECT id, scopes FROM api_key WHERE workspace_id = ? AND revoked_at IS NULL${lock}`,
      [row.workspaceId],
    );
    if (working.some((key) => Number(key.id) !== row.id && parseScopes(key.scopes).includes(KeyScope.ADMIN))) return;
    throw badInput("This is the workspace's last working admin key: create another admin key before revoking it");
  }

  /** A new workspace and its first admin key; only the operator workspace's admins may. */
  async createWorkspace(principal: Principal, name: string): Promise<{ workspace: WorkspaceEntity; key: string; row: ApiKeyEntity }> {
    if (!principal.operator) throw new WaymarkError(ErrorCode.FORBIDDEN, "Only admins of the operator workspace may create workspaces");
    const trimmed = name.trim();
    // At most 94, so that its first key's name, "<name>-admin", fits the 100 characters of a key name.
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,93}$/.test(trimmed)) throw badInput("A workspace name is 1–94 letters, digits, '.', '_' or '-'");
    return this.db.write(async (tx) => {
      const repo = tx.getRepository(WorkspaceEntity);
      if (await repo.existsBy({ name: trimmed })) throw badInput(`A workspace named "${trimmed}" already exists`);
      const workspace = repo.create({ name: trimmed, lastSequence: 0, operator: false, createdAt: this.now() });
      await repo.insert(workspace);
      const { key, row } = await this.insertKey(tx, workspace.id, `${trimmed}-admin`, [KeyScope.ADMIN], principal.actor);
      return { workspace, key, row };
    });
  }

  /**
   * First start: creates the operator workspace and an admin key (WAYMARK_BOOTSTRAP_KEY, or a
   * new one). Returns the key only when it was generated here, so the caller can show it once.
   * Runs under the migration lock, so instances starting together create one of each.
   */
  bootstrap(bootstrapKey: string | null): Promise<string | null> {
    if (bootstrapKey !== null && !isWellFormedKey(bootstrapKey)) {
      throw new Error("WAYMARK_BOOTSTRAP_KEY must look like wm_ followed by at least 20 letters, digits, '-' or '_'");
    }
    return this.db.write(async (tx) => {
      const workspaces = tx.getRepository(WorkspaceEntity);
      let operator = await workspaces.findOne({ where: { operator: true }, order: { id: "ASC" } });
      if (!operator) {
        // A store from before keys existed: its oldest workspace becomes the operator's.
        operator =
          (await workspaces.findOne({ where: {}, order: { id: "ASC" } })) ?? workspaces.create({ name: "default", lastSequence: 0, createdAt: this.now() });
        operator.operator = true;
        await workspaces.save(operator);
      }
      const keys = tx.getRepository(ApiKeyEntity);
      if (bootstrapKey !== null) {
        if (!(await keys.existsBy({ hash: hashKey(bootstrapKey) })))
          await this.insertKey(tx, operator.id, "bootstrap-admin", [KeyScope.ADMIN], "bootstrap", bootstrapKey);
        return null;
      }
      if (await keys.exists()) return null;
      return (await this.insertKey(tx, operator.id, "bootstrap-admin", [KeyScope.ADMIN], "bootstrap")).key;
    });
  }

  private async insertKey(tx: EntityManager, workspaceId: number, name: string, scopes: KeyScope[], createdBy: string, key = generateKey()) {
    if (!name.trim() || characterLength(name) > 100) throw badInput("A key name is 1–100 characters");
    if (scopes.length === 0) throw badInput("A key needs at least one scope");
    const row = tx.getRepository(ApiKeyEntity).create({
      workspaceId,
      name: name.trim(),
      prefix: displayPrefix(key),
      hash: hashKey(key),
      scopes: [...new Set(scopes)].join(","),
      createdAt: this.now(),
      createdBy,
      revokedAt: null,
    });
    await tx.getRepository(ApiKeyEntity).insert(row);
    await tx.getRepository(AuditEntryEntity).insert(keyAudit({ workspaceId, actor: createdBy }, AuditKind.API_KEY_CREATED, row));
    return { key, row };
  }
}

function principalOf(row: ApiKeyEntity, operator: boolean): Principal {
  return { workspaceId: row.workspaceId, actor: row.name, scopes: effectiveScopes(parseScopes(row.scopes)), keyId: row.id, operator };
}

/** The audit entry of a key's creation or revocation, in the key's workspace (never its hash). */
function keyAudit(by: { workspaceId: number; actor: string }, kind: AuditKind, row: ApiKeyEntity): Omit<AuditEntryEntity, "id"> {
  const at = kind === AuditKind.API_KEY_REVOKED ? row.revokedAt! : row.createdAt;
  return auditEntry({ workspaceId: row.workspaceId, actor: by.actor }, kind, null, at, {
    keyId: encodeId("key", row.id),
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
  });
}

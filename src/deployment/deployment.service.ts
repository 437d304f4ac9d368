import { IsNull } from "typeorm";
import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import { badInput } from "../errors";
import type { JsonValue } from "../json-limits";
import { decodeId } from "../ids";
import { keysetPage } from "../db/keyset";
import { connectionType, pageOf, type Connection, type PageArgs } from "../pagination";
import { DeploymentEntity } from "./deployment.entity";
import type { DeploymentFilter, UpdateDeploymentSettingsInput } from "./deployment.input";
import { deploymentNotFound, lockDeployment } from "./deployment.lock";
import { Deployment, toDeployment } from "./deployment.type";
import { settingsDiff, settingsOf } from "./settings";
import { auditEntry } from "../audit/audit";
import { AuditKind } from "../audit/audit-kinds";
import { deploymentChange, publishAll } from "../live/deployment-change";
import type { LiveEvents } from "../live/live-events";
import type { SetDeploymentRetentionInput } from "../retention/retention.input";
import { appendedOf } from "../db/write-store";

export const DeploymentConnection = connectionType("Deployment", Deployment, "deployments");

const isNameKey = (key: unknown[]): key is [string, string] => key.length === 2 && typeof key[0] === "string" && typeof key[1] === "string";

/** LIKE pattern matching `text` anywhere, with `!` as the escape character (valid on both stores). */
const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;

export class DeploymentService {
  constructor(
    private readonly db: Database,
    private readonly events: LiveEvents,
    private readonly now: () => Date,
  ) {}

  byName(caller: Caller, flowName: string, name: string): Promise<DeploymentEntity | null> {
    return this.db.reader.getRepository(DeploymentEntity).findOneBy({ workspaceId: caller.workspaceId, flowName, name, deletedAt: IsNull() });
  }

  /** Deployments ordered by flow name, then name, by keyset on the pair. */
  async list(caller: Caller, args: PageArgs, filter: DeploymentFilter | null | undefined): Promise<Connection<Deployment>> {
    const page = pageOf(args, "deployment", isNameKey);
    const query = () => {
      const qb = this.db.reader
        .getRepository(DeploymentEntity)
        .createQueryBuilder("d")
        .where("d.workspaceId = :ws", { ws: caller.workspaceId })
        .andWhere("d.deletedAt IS NULL");
      if (!filter?.includeArchived) qb.andWhere("d.archivedAt IS NULL");
      if (filter?.flowName != null) qb.andWhere("d.flowName = :flowName", { flowName: filter.flowName });
      if (filter?.nameContains) qb.andWhere("LOWER(d.name) LIKE :pattern ESCAPE '!'", { pattern: containsPattern(filter.nameContains) });
      return qb;
    };
    return keysetPage(
      {
        query,
        columns: ["d.flowName", "d.name"],
        order: "ASC",
        keyOf: (row) => [row.flowName, row.name],
        cursorKind: "deployment",
        toNode: toDeployment,
        Type: DeploymentConnection,
      },
      page,
    );
  }

  /** Sets retention (applied by the next retention pass); audited as a settings change. */
  async setRetention(caller: Caller, input: SetDeploymentRetentionInput): Promise<DeploymentEntity> {
    const key = decodeId("deployment", input.deploymentId);
    if (key === null) throw deploymentNotFound(input.deploymentId);
    const written = await this.db.store.write(async (tx) => {
      const deployment = await lockDeployment(tx, caller.workspaceId, { id: key });
      if (!deployment) throw deploymentNotFound(input.deploymentId);
      const before = { keepLast: deployment.retentionKeepLast, keepDays: deployment.retentionKeepDays };
      const after = { keepLast: input.keepLast ?? null, keepDays: input.keepDays ?? null };
      if (before.keepLast === after.keepLast && before.keepDays === after.keepDays) return { result: deployment };
      const at = this.now();
      const changes = [{ field: "retention", before, after }];
      return {
        result: deployment,
        append: {
          deployment: { row: deployment, set: { retentionKeepLast: after.keepLast, retentionKeepDays: after.keepDays, updatedAt: at } },
          change: deploymentChange(caller, deployment, "SETTINGS", at, { settings: changes }),
          audit: [auditEntry(caller, AuditKind.SETTINGS_CHANGED, deployment, at, { changes })],
        },
      };
    });
    publishAll(this.events, appendedOf(written), written.result.flowName);
    return written.result;
  }

  /**
   * Changes settings only; no version is created and the live pointer does not move. The fields
   * whose value changes are audited and sent to subscribers as one SETTINGS change; a request
   * that changes nothing writes nothing.
   */
  async updateSettings(caller: Caller, input: UpdateDeploymentSettingsInput): Promise<DeploymentEntity> {
    const problems: string[] = [];
    const patch = settingsOf(input, problems);
    if (problems.length > 0) throw badInput(problems.join("; "), { problems });
    const key = decodeId("deployment", input.deploymentId);
    if (key === null) throw deploymentNotFound(input.deploymentId);
    const written = await this.db.store.write(async (tx) => {
      const deployment = await lockDeployment(tx, caller.workspaceId, { id: key });
      if (!deployment) throw deploymentNotFound(input.deploymentId);
      const { set, changes } = settingsDiff(deployment, patch);
      if (changes.length === 0) return { result: deployment };
      const at = this.now();
      return {
        result: deployment,
        append: {
          deployment: { row: deployment, set: { ...set, updatedAt: at } },
          change: deploymentChange(caller, deployment, "SETTINGS", at, { settings: changes }),
          audit: [auditEntry(caller, AuditKind.SETTINGS_CHANGED, deployment, at, { changes: changes as unknown as JsonValue })],
        },
      };
    });
    publishAll(this.events, appendedOf(written), written.result.flowName);
    return written.result;
  }
}

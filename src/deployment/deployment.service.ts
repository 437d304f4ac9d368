import type { Caller } from "../auth/caller";
import type { Database } from "../db/database";
import { badInput } from "../errors";
import { decodeId } from "../ids";
import { keysetPage } from "../db/keyset";
import { connectionType, pageOf, type Connection, type PageArgs } from "../pagination";
import { DeploymentEntity } from "./deployment.entity";
import type { DeploymentFilter, UpdateDeploymentSettingsInput } from "./deployment.input";
import { deploymentNotFound, lockDeployment } from "./deployment.lock";
import { Deployment, toDeployment } from "./deployment.type";
import { settingsOf } from "./settings";

export const DeploymentConnection = connectionType("Deployment", Deployment);

const isNameKey = (key: unknown[]): key is [string, string] =>
  key.length === 2 && typeof key[0] === "string" && typeof key[1] === "string";

/** LIKE pattern matching `text` anywhere, with `!` as the escape character (valid on both stores). */
const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;

export class DeploymentService {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  byName(caller: Caller, flowName: string, name: string): Promise<DeploymentEntity | null> {
    return this.db.reader.getRepository(DeploymentEntity).findOneBy({ workspaceId: caller.workspaceId, flowName, name });
  }

  /** Deployments ordered by flow name, then name, by keyset on the pair. */
  async list(caller: Caller, args: PageArgs, filter: DeploymentFilter | null | undefined): Promise<Connection<Deployment>> {
    const page = pageOf(args, "deployment", isNameKey);
    const query = () => {
      const qb = this.db.reader.getRepository(DeploymentEntity).createQueryBuilder("d").where("d.workspaceId = :ws", { ws: caller.workspaceId });
      if (filter?.flowName != null) qb.andWhere("d.flowName = :flowName", { flowName: filter.flowName });
      if (filter?.nameContains) qb.andWhere("LOWER(d.name) LIKE :pattern ESCAPE '!'", { pattern: containsPattern(filter.nameContains) });
      return qb;
    };
    return keysetPage(
      { query, columns: ["d.flowName", "d.name"], order: "ASC", keyOf: (row) => [row.flowName, row.name], cursorKind: "deployment", toNode: toDeployment, Type: DeploymentConnection },
      page,
    );
  }

  /** Changes settings only; no version is created and the live pointer does not move. */
  async updateSettings(caller: Caller, input: UpdateDeploymentSettingsInput): Promise<DeploymentEntity> {
    const problems: string[] = [];
    const patch = settingsOf(input, problems);
    if (problems.length > 0) throw badInput(problems.join("; "), { problems });
    const key = decodeId("deployment", input.deploymentId);
    if (key === null) throw deploymentNotFound(input.deploymentId);
    const written = await this.db.store.write(async (tx) => {
      const deployment = await lockDeployment(tx, caller.workspaceId, { id: key });
      if (!deployment) throw deploymentNotFound(input.deploymentId);
      return { result: deployment, append: { deployment: { row: deployment, set: { ...patch, updatedAt: this.now() } } } };
    });
    return written.result;
  }
}

import type { Principal } from "../auth/principal";
import { KeyScope } from "../auth/scopes";
import type { Database } from "../db/database";
import { encodeId } from "../ids";
import { WorkspaceEntity } from "../workspace/workspace.entity";
import type { Viewer } from "./viewer.type";

/** Who the caller is: what a frontend asks so that it offers only the actions the key may take. */
export class ViewerService {
  constructor(private readonly db: Database) {}

  async viewer(principal: Principal): Promise<Viewer> {
    const workspace = await this.db.reader.getRepository(WorkspaceEntity).findOneByOrFail({ id: principal.workspaceId });
    // In the enum's declared order, so the answer does not depend on how the key was created.
    const scopes = Object.values(KeyScope).filter((scope) => principal.scopes.has(scope));
    return { keyName: principal.actor, scopes, workspace: { id: encodeId("workspace", workspace.id), name: workspace.name } };
  }
}

import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { KeyScope } from "../auth/scopes";
import type { RequestContext } from "../context";
import { badInput } from "../errors";
import type { Services } from "../services";
import { NodeService, type NodeValue } from "./node.service";
import { Node } from "./node.type";

/** As many ids as a page holds at most. */
const MAX_NODES = 100;

@Resolver()
export class NodeResolver {
  private readonly nodes_: NodeService;

  constructor(services: Services) {
    this.nodes_ = new NodeService(services.db, services.webhooks);
  }

  @Authorized(KeyScope.READ)
  @Query(() => Node, {
    nullable: true,
    description: "Any object by its id; null when none of the caller's workspace has it (ApiKey, Webhook and WebhookDelivery ids need the admin scope).",
  })
  node(@Arg("id", () => ID, { description: "An id from any type that implements Node." }) id: string, @Ctx() ctx: RequestContext): Promise<NodeValue | null> {
    return this.nodes_.node(id, ctx);
  }

  @Authorized(KeyScope.READ)
  @Query(() => [Node], { nullable: "items", description: "Objects by their ids, in the order asked; null for each id node(id:) answers null for." })
  nodes(@Arg("ids", () => [ID], { description: `Up to ${MAX_NODES} ids.` }) ids: string[], @Ctx() ctx: RequestContext): Promise<(NodeValue | null)[]> {
    if (ids.length > MAX_NODES) throw badInput(`ids takes at most ${MAX_NODES} ids, got ${ids.length}`);
    return Promise.all(ids.map((id) => this.nodes_.node(id, ctx)));
  }
}

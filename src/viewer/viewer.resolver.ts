import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import type { Services } from "../services";
import { ViewerService } from "./viewer.service";
import { Viewer } from "./viewer.type";

@Resolver()
export class ViewerResolver {
  private readonly viewers: ViewerService;

  constructor(services: Services) {
    this.viewers = new ViewerService(services.db);
  }

  /** Any valid key may ask (no scope needed): it learns only about itself. */
  @Authorized()
  @Query(() => Viewer, { description: "The caller's key: its name, its scopes and its workspace." })
  viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    return this.viewers.viewer(ctx.principal!);
  }
}

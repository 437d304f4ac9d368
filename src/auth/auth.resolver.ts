import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { decodeId } from "../ids";
import type { Services } from "../services";
import { ApiKey, CreateApiKeyInput, CreatedApiKey, CreatedWorkspace, toApiKey } from "./auth.types";
import { KeyScope } from "./scopes";

@Resolver()
export class AuthResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.admin)
  @Query(() => [ApiKey], { description: "The keys of the caller's workspace, revoked ones included." })
  async apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKey[]> {
    return (await this.services.auth.listKeys(ctx.principal!)).map(toApiKey);
  }

  @Authorized(KeyScope.admin)
  @Mutation(() => CreatedApiKey, { description: "A new key for the caller's workspace; its secret is returned only here." })
  async createApiKey(@Arg("input", () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: RequestContext): Promise<CreatedApiKey> {
    const { key, row } = await this.services.auth.createKey(ctx.principal!, input.name, input.scopes);
    return { key, apiKey: toApiKey(row) };
  }

  @Authorized(KeyScope.admin)
  @Mutation(() => ApiKey, { description: "Stops a key at once, open subscriptions included." })
  async revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ApiKey> {
    const row = await this.services.auth.revokeKey(ctx.principal!, decodeId("key", id));
    this.services.revocations.revoked(row.id);
    return toApiKey(row);
  }

  @Authorized(KeyScope.admin)
  @Mutation(() => CreatedWorkspace, { description: "A new, empty workspace and its first admin key (operator workspace admins only)." })
  async createWorkspace(@Arg("name", () => String) name: string, @Ctx() ctx: RequestContext): Promise<CreatedWorkspace> {
    const { workspace, key, row } = await this.services.auth.createWorkspace(ctx.principal!, name);
    return { name: workspace.name, key, apiKey: toApiKey(row) };
  }
}

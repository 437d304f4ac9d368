import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { decodeId } from "../ids";
import type { Services } from "../services";
import {
  ApiKey,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  CreateWorkspaceInput,
  CreateWorkspacePayload,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
  toApiKey,
} from "./auth.types";
import { KeyScope } from "./scopes";

@Resolver()
export class AuthResolver {
  constructor(private readonly services: Services) {}

  @Authorized(KeyScope.ADMIN)
  @Query(() => [ApiKey], { description: "The keys of the caller's workspace, revoked ones included." })
  async apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKey[]> {
    return (await this.services.auth.listKeys(ctx.principal!)).map(toApiKey);
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => CreateApiKeyPayload, { description: "A new key for the caller's workspace; its secret is returned only here." })
  async createApiKey(
    @Arg("input", () => CreateApiKeyInput, { description: "The new key's name and scopes." }) input: CreateApiKeyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateApiKeyPayload> {
    const { key, row } = await this.services.auth.createKey(ctx.principal!, input.name, input.scopes);
    return { key, apiKey: toApiKey(row) };
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => RevokeApiKeyPayload, {
    description: "Stops a key at once, open subscriptions included. Idempotent: revoking a revoked key answers it unchanged.",
  })
  async revokeApiKey(
    @Arg("input", () => RevokeApiKeyInput, { description: "Which key to revoke." }) input: RevokeApiKeyInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RevokeApiKeyPayload> {
    const { row, revoked } = await this.services.auth.revokeKey(ctx.principal!, decodeId("key", input.id));
    if (revoked) this.services.revocations.revoked(row.id);
    return { apiKey: toApiKey(row) };
  }

  @Authorized(KeyScope.ADMIN)
  @Mutation(() => CreateWorkspacePayload, { description: "A new, empty workspace and its first admin key (operator workspace admins only)." })
  async createWorkspace(
    @Arg("input", () => CreateWorkspaceInput, { description: "The new workspace." }) input: CreateWorkspaceInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateWorkspacePayload> {
    const { workspace, key, row } = await this.services.auth.createWorkspace(ctx.principal!, input.name);
    return { name: workspace.name, key, apiKey: toApiKey(row) };
  }
}

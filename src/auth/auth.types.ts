import { Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, ArrayMinSize, MaxLength } from "class-validator";
import { encodeId } from "../ids";
import type { ApiKeyEntity } from "./api-key.entity";
import { KeyScope, parseScopes } from "./scopes";
import { Node } from "../node/node.type";

@ObjectType({ description: "An API key of the caller's workspace; the secret itself is shown only once, at creation.", implements: Node })
export class ApiKey implements Node {
  @Field(() => ID, { description: "Opaque key id (key_…); not the secret." })
  id!: string;

  @Field(() => String, { description: "Recorded as createdBy / actor of what the key does." })
  name!: string;

  @Field(() => String, { description: "The first characters of the key, to tell keys apart." })
  prefix!: string;

  @Field(() => [KeyScope], { description: "The scopes the key was created with (implied ones not added)." })
  scopes!: KeyScope[];

  @Field(() => Date, { description: "When the key was created." })
  createdAt!: Date;

  @Field(() => String, { description: "Name of the key that created it." })
  createdBy!: string;

  @Field(() => Date, { nullable: true, description: "When it was revoked; null while it works." })
  revokedAt!: Date | null;
}

@ObjectType({ description: "The key createApiKey made, and its secret." })
export class CreateApiKeyPayload {
  @Field(() => String, { description: "The secret: store it now, it is never shown again." })
  key!: string;

  @Field(() => ApiKey, { description: "The new key, as apiKeys lists it." })
  apiKey!: ApiKey;
}

@ObjectType({ description: "The key revokeApiKey stopped." })
export class RevokeApiKeyPayload {
  @Field(() => ApiKey, { description: "The key, with its revokedAt (unchanged when it was already revoked)." })
  apiKey!: ApiKey;
}

@ObjectType({ description: "The workspace createWorkspace made, and its first admin key." })
export class CreateWorkspacePayload {
  @Field(() => String, { description: "The new workspace's name." })
  name!: string;

  @Field(() => String, { description: "The new workspace's first admin key: store it now, it is never shown again." })
  key!: string;

  @Field(() => ApiKey, { description: "That admin key, as apiKeys lists it." })
  apiKey!: ApiKey;
}

@InputType({ description: "Which key to revoke." })
export class RevokeApiKeyInput {
  @Field(() => ID, { description: "The key's id (key_…), as apiKeys lists it; never its secret." })
  id!: string;
}

@InputType({ description: "The new workspace." })
export class CreateWorkspaceInput {
  @Field(() => String, { description: "Unique among workspaces; its first key is named <name>-admin." })
  name!: string;
}

@InputType({ description: "The new key's name and scopes." })
export class CreateApiKeyInput {
  @Field(() => String, { description: "Who acts with it, e.g. github-actions or alice." })
  @MaxLength(100)
  name!: string;

  @Field(() => [KeyScope], { description: "One to four scopes; implied ones (READ under DEPLOY or RELEASE) may be left out." })
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  scopes!: KeyScope[];
}

export function toApiKey(row: ApiKeyEntity): ApiKey {
  return {
    id: encodeId("key", row.id),
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row.scopes),
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    revokedAt: row.revokedAt,
  };
}

import { Field, ID, ObjectType } from "type-graphql";
import { KeyScope } from "../auth/scopes";

@ObjectType({ description: "A workspace: every deployment and key belongs to one." })
export class Workspace {
  @Field(() => ID, { description: "Opaque id (wsp_…)." })
  id!: string;

  @Field(() => String, { description: "Unique name of the workspace." })
  name!: string;
}

@ObjectType({ description: "The caller: the API key a request is made with, and what it may do." })
export class Viewer {
  @Field(() => String, { description: "The key's name, recorded as createdBy / actor of what it does." })
  keyName!: string;

  @Field(() => [KeyScope], { description: "Every scope the key holds, implied ones included (admin holds all; deploy and release hold read)." })
  scopes!: KeyScope[];

  @Field(() => Workspace, { description: "The workspace the key belongs to." })
  workspace!: Workspace;
}

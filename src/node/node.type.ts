import { Field, ID, InterfaceType } from "type-graphql";

/** The type each public id prefix (ids.ts) names, so `node(id:)` answers need no class instances. */
const TYPE_BY_PREFIX: Record<string, string> = {
  dep_: "Deployment",
  ver_: "DeploymentVersion",
  chg_: "LiveVersionChange",
  key_: "ApiKey",
  aud_: "AuditEntry",
  whk_: "Webhook",
  whd_: "WebhookDelivery",
};

export function nodeTypeOf(id: string): string | undefined {
  return TYPE_BY_PREFIX[id.slice(0, 4)];
}

@InterfaceType({
  description: "An object with a globally unique id: refetch it with node(id:) (Relay's Node interface).",
  resolveType: (value: { id: string }) => nodeTypeOf(value.id),
})
export abstract class Node {
  @Field(() => ID, { description: "Opaque and unique across all types; never reused." })
  id!: string;
}

import { GraphQLEnumType, GraphQLObjectType, GraphQLSchema } from "graphql";
import { ERROR_CODE_DESCRIPTIONS } from "../errors";

/**
 * The closed list of error codes as a schema enum. No field returns it: it is there so that
 * codegen tools type `extensions.code` from the schema.
 */
export const ErrorCodeEnum = new GraphQLEnumType({
  name: "ErrorCode",
  description: "Every value of extensions.code an error of this API may carry; there are no others.",
  values: Object.fromEntries(Object.entries(ERROR_CODE_DESCRIPTIONS).map(([code, description]) => [code, { value: code, description }])),
});

const ROOT_DESCRIPTIONS = {
  query: "Reads: deployments, their versions, live history and diffs, the audit log, keys, webhooks, any object by id (node), and the caller itself.",
  mutation: "Writes: every one takes one input argument and answers a payload object.",
  subscription: "Pushes over graphql-ws on /graphql.",
} as const;

/** Adds the ErrorCode enum, and describes the root types (type-graphql cannot). */
export function withErrorCodes(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const roots = Object.fromEntries(
    (Object.keys(ROOT_DESCRIPTIONS) as Array<keyof typeof ROOT_DESCRIPTIONS>).map((root) => {
      const type = config[root];
      return [root, type ? new GraphQLObjectType({ ...type.toConfig(), description: ROOT_DESCRIPTIONS[root] }) : type];
    }),
  );
  const types = config.types.filter((type) => !Object.values(roots).some((root) => root?.name === type.name));
  return new GraphQLSchema({ ...config, ...roots, types: [...types, ErrorCodeEnum] });
}

import { GraphQLEnumType, GraphQLSchema } from "graphql";
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

export function withErrorCodes(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, types: [...config.types, ErrorCodeEnum] });
}

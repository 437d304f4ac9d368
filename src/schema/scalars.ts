import { GraphQLJSON, DateTimeResolver } from "graphql-scalars";

/** The two scalars of the contract: `JSON` for free-form documents, `DateTime` (ISO 8601, UTC, ms). */
export const JSONScalar = GraphQLJSON;
export const DateTimeScalar = DateTimeResolver;

export const scalarsMap = [{ type: Date, scalar: DateTimeScalar }];

import type { ApolloServerPlugin } from "@apollo/server";
import { parse, type DocumentNode, type GraphQLError, type ValidationRule } from "graphql";
import { documentLimitError, queryLimitError, variablesDepthError } from "./query-limits";
import { responseSizeError } from "./response-size";
import type { SchemaFacts } from "./schema-facts";

/** Verdicts kept per document; past this many variable sets the document's memo starts over. */
const MAX_VARIABLE_SETS = 256;

/** A document's first broken limit for given variables, or null; the same document and variables are judged once. */
export type LimitCheck = (document: DocumentNode, variables: Record<string, unknown> | null | undefined) => GraphQLError | null;

/**
 * Apollo hands the same parsed document to every request with the same query text (graphql-ws
 * here too), and the verdict depends only on the document and the variables, so it is kept: the
 * check costs ~12 % of a cached history read otherwise.
 */
export function limitCheck(facts: SchemaFacts): LimitCheck {
  const verdicts = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  return (document, variables) => {
    // Before the variables are serialised as a key: a hostile nesting would overflow the stack.
    const tooDeep = variablesDepthError(variables ?? undefined);
    if (tooDeep) return tooDeep;
    let known = verdicts.get(document);
    if (!known || known.size >= MAX_VARIABLE_SETS) verdicts.set(document, (known = new Map()));
    const key = variables ? JSON.stringify(variables) : "";
    let found = known.get(key);
    if (found === undefined) known.set(key, (found = queryLimitError(facts, document, variables ?? undefined)));
    return found;
  };
}

export interface LimitsPluginOptions {
  /** The text already serialised for an answer's data (a cached history read), if any. */
  textOf?: (data: object) => string | undefined;
}

/** What validation goes on to check in place of a document the limits refuse whatever its variables. */
const STAND_IN = parse("{ __typename }");

/**
 * A validation rule, run by Apollo after graphql's own rules but entering the document before
 * any of them looks inside it: a document that breaks a limit whatever its variables is swapped
 * for a one-field stand-in, so that graphql's rules (overlapping fields, fragments spread in a
 * chain: far more work than the check on a hostile document) never walk it. Such a document can
 * never execute: the plugin refuses it again, with the request's variables, before execution.
 */
export function limitsBeforeValidation(facts: SchemaFacts): ValidationRule {
  return () => ({
    Document: { enter: (document) => (documentLimitError(facts, document) ? STAND_IN : undefined) },
  });
}

/**
 * Rejects an operation that breaks a query limit before execution (QUERY_TOO_COMPLEX, 400), and
 * an answer larger than the response cap before it is serialised.
 */
export function queryLimitsPlugin(facts: SchemaFacts, options: LimitsPluginOptions = {}): ApolloServerPlugin {
  const check = limitCheck(facts);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const error = check(document, request.variables);
          if (error) throw error;
        },
        async willSendResponse({ operation, response }) {
          // A mutation has already written: its answer is sent whole rather than lost.
          if (response.body.kind !== "single" || operation?.operation === "mutation") return;
          const { data } = response.body.singleResult;
          const error = data ? responseSizeError(data, options.textOf?.(data)?.length) : null;
          if (!error) return;
          response.body.singleResult = { errors: [{ message: error.message, extensions: { code: error.extensions.code } }] };
          response.http.status = 400;
        },
      };
    },
  };
}

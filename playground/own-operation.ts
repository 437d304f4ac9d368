import type { Fetcher } from "@graphiql/toolkit";
import { Kind, parse, type DocumentNode } from "graphql";

/**
 * GraphiQL reads the operation name and parsed document from the editor after a short debounce,
 * so a run right after switching tabs sends the new tab's text with the previous tab's operation
 * name (the server answers "Unknown operation") and the previous tab's document, from which the
 * toolkit decides HTTP or WebSocket (a subscription went over HTTP). Both are derived again here
 * from the text actually sent: a name it does not define becomes its only operation's.
 */
export function withOwnOperationName(fetcher: Fetcher): Fetcher {
  return (params, options) => {
    let document: DocumentNode;
    try {
      document = parse(params.query);
    } catch {
      return fetcher(params, options);
    }
    const names = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value] : []));
    const operationName = params.operationName && names.includes(params.operationName) ? params.operationName : names.length === 1 ? (names[0] ?? null) : null;
    return fetcher({ ...params, operationName }, { ...options, documentAST: document });
  };
}

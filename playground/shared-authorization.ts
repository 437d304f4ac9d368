import type { Fetcher } from "@graphiql/toolkit";

type Headers = Record<string, unknown>;

/**
 * GraphiQL keeps one headers editor per tab. So that a key pasted once works in every tab
 * (queries, introspection and the graphql-ws connection alike), the last Authorization sent
 * is reused by tabs that set none. It lives in memory only: a reload forgets it, and GraphiQL
 * itself does not persist headers either. A tab that sets its own Authorization (even "")
 * always sends that one.
 */
export function withSharedAuthorization(fetcher: Fetcher): Fetcher {
  let remembered: string | null = null;
  return (params, options) => {
    const headers: Headers = { ...(options?.headers as Headers | undefined) };
    const name = Object.keys(headers).find((key) => key.toLowerCase() === "authorization");
    if (name !== undefined) {
      const value = headers[name];
      if (typeof value === "string" && value.trim() !== "") remembered = value;
    } else if (remembered !== null) {
      headers.Authorization = remembered;
    }
    return fetcher(params, { ...options, headers });
  };
}

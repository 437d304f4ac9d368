import type { Fetcher } from "@graphiql/toolkit";

type Headers = Record<string, unknown>;

/** Where a key the user chose to remember is kept: this browser tab's session only. */
export const REMEMBERED_KEY = "waymark:authorization";

/** The session storage, or null where the browser refuses it (then nothing is remembered). */
function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * GraphiQL keeps one headers editor per tab. So that a key pasted once works in every tab
 * (queries, introspection and the graphql-ws connection alike), the last Authorization sent
 * is reused by tabs that set none. It lives in memory only (a reload forgets it) unless the user
 * ticks "remember": then it is kept in sessionStorage, which the browser drops with the tab. A
 * tab that sets its own Authorization (even "") always sends that one.
 */
export function sharedAuthorization() {
  let remembered: string | null = session()?.getItem(REMEMBERED_KEY) ?? null;
  let persist = remembered !== null;
  const store = () => {
    if (persist && remembered !== null) session()?.setItem(REMEMBERED_KEY, remembered);
    else session()?.removeItem(REMEMBERED_KEY);
  };
  return {
    get persisted() {
      return persist;
    },
    /** Ticked: keep the key for this browser tab's session; unticked: forget it there. */
    setPersisted(value: boolean) {
      persist = value;
      store();
    },
    wrap(fetcher: Fetcher): Fetcher {
      return (params, options) => {
        const headers: Headers = { ...(options?.headers as Headers | undefined) };
        const name = Object.keys(headers).find((key) => key.toLowerCase() === "authorization");
        if (name !== undefined) {
          const value = headers[name];
          if (typeof value === "string" && value.trim() !== "") {
            remembered = value;
            store();
          }
        } else if (remembered !== null) {
          headers.Authorization = remembered;
        }
        return fetcher(params, { ...options, headers });
      };
    },
  };
}

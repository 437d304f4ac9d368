import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, gql } from "./api";
import { useSession } from "./session";

export interface QueryState<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  /** Runs the query again, keeping what is shown until the answer arrives. */
  refetch: () => void;
}

/** Runs a query with the session's key whenever its variables change; a late answer to older variables is dropped. */
export function useQuery<T>(query: string, variables: Record<string, unknown>): QueryState<T> {
  const { key, refused } = useSession();
  const [state, setState] = useState<Omit<QueryState<T>, "refetch">>({ data: null, error: null, loading: true });
  const latest = useRef(0);
  const text = JSON.stringify(variables);
  const run = useCallback(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    gql<T>(key, query, JSON.parse(text) as Record<string, unknown>).then(
      (data) => ticket === latest.current && setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (error instanceof ApiError && error.code === "UNAUTHENTICATED") refused("The server no longer accepts this key (revoked?). Paste another.");
        if (ticket === latest.current)
          setState((s) => ({ ...s, error: error instanceof ApiError ? error : new ApiError("UNKNOWN", String(error)), loading: false }));
      },
    );
  }, [key, query, text, refused]);
  useEffect(run, [run]);
  return { ...state, refetch: run };
}

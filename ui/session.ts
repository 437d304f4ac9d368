import type { Client } from "graphql-ws/client";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Viewer } from "./api";

/** What every view needs: the key, who it is, and the one live connection. */
export interface Session {
  key: string;
  viewer: Viewer;
  live: Client;
  /** Back to the key form with a message: the server no longer accepts the key. */
  refused: (message: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}

export const mayMove = (viewer: Viewer) => viewer.scopes.includes("RELEASE");

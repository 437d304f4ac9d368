import "./page.css";
import { render } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, gql, VIEWER, type Viewer } from "./api";
import { Compare } from "./compare";
import { DeploymentView } from "./deployment";
import { rememberedKey, storeKey } from "./key";
import { KeyForm } from "./key-form";
import { DeploymentList } from "./list";
import { openLive, type ConnectionState } from "./live";
import { onLinkClick, useRoute } from "./router";
import { SessionContext } from "./session";

const STATE_LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  refused: "Disconnected: the key was refused",
};

function Signed({ keyValue, viewer, onForget }: { keyValue: string; viewer: Viewer; onForget: (message?: string) => void }) {
  const [state, setState] = useState<ConnectionState>("connecting");
  const live = useMemo(() => openLive(keyValue, setState), [keyValue]);
  useEffect(() => () => void live.dispose(), [live]);
  const route = useRoute();
  useEffect(() => {
    if (state === "refused") onForget("The server closed the connection for this key (revoked?). Paste another.");
  }, [state, onForget]);
  const session = useMemo(() => ({ key: keyValue, viewer, live, refused: (message: string) => onForget(message) }), [keyValue, viewer, live, onForget]);
  return (
    <SessionContext.Provider value={session}>
      <header class="top">
        <a href="/" class="brand" onClick={onLinkClick}>
          Waymark
        </a>
        <span class={`conn conn-${state}`} role="status" aria-live="polite" data-state={state}>
          <span class="dot" aria-hidden="true" /> {STATE_LABELS[state]}
        </span>
        <span class="who">
          {viewer.keyName} · {viewer.scopes.map((scope) => scope.toLowerCase()).join(", ")} · {viewer.workspace.name}
        </span>
        <button type="button" class="link" onClick={() => onForget()}>
          Forget key
        </button>
      </header>
      <main>
        {route.page === "list" && <DeploymentList />}
        {route.page === "deployment" && <DeploymentView key={route.id} id={route.id} />}
        {route.page === "compare" && <Compare key={`${route.id}/${route.from}/${route.to}`} id={route.id} from={route.from} to={route.to} />}
      </main>
    </SessionContext.Provider>
  );
}

function App() {
  const [signed, setSigned] = useState<{ key: string; viewer: Viewer } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const open = async (key: string, remember: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const { viewer } = await gql<{ viewer: Viewer }>(key, VIEWER);
      storeKey(key, remember);
      setSigned({ key, viewer });
    } catch (e) {
      storeKey(null, false);
      setError(e instanceof ApiError && e.code === "UNAUTHENTICATED" ? "This key is not valid (unknown, revoked or mistyped)." : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    const key = rememberedKey();
    if (key) void open(key, true);
  }, []);
  const forget = useCallback((message?: string) => {
    storeKey(null, false);
    setSigned(null);
    setError(message ?? null);
  }, []);
  if (signed) return <Signed keyValue={signed.key} viewer={signed.viewer} onForget={forget} />;
  return (
    <main>
      <KeyForm error={error} busy={busy} onSubmit={(key, remember) => void open(key, remember)} />
    </main>
  );
}

render(<App />, document.getElementById("root")!);
performance.mark("waymark:rendered");

import { useState } from "preact/hooks";

interface Props {
  error: string | null;
  busy: boolean;
  onSubmit: (key: string, remember: boolean) => void;
}

/** Asks for an API key once per session; the key is checked with the server before anything is shown. */
export function KeyForm({ error, busy, onSubmit }: Props) {
  const [key, setKey] = useState("");
  const [remember, setRemember] = useState(false);
  return (
    <form
      class="card key-form"
      aria-describedby="key-help"
      onSubmit={(event) => {
        event.preventDefault();
        // A key copied together with its header prefix ("Bearer wm_…") works as well.
        const bare = key.trim().replace(/^bearer\s+/i, "");
        if (bare) onSubmit(bare, remember);
      }}
    >
      <h1>Waymark</h1>
      <p id="key-help">
        Paste an API key (<code>wm_…</code>) to see your workspace's deployments. A <code>read</code> key shows history; a <code>release</code> key can also
        roll back and promote.
      </p>
      <label for="api-key">API key</label>
      <input id="api-key" type="password" autoComplete="off" spellcheck={false} required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
      <label class="check">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} /> Remember it in this tab until the browser closes
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !key.trim()}>
        {busy ? "Checking…" : "Open"}
      </button>
    </form>
  );
}

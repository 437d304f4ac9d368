interface Settings {
  paused: boolean;
  schedules: unknown;
  concurrencyLimit: number | null;
  concurrencyOptions: unknown;
}

/** The deployment's own settings, which no version carries. */
export function SettingsPanel({ settings }: { settings: Settings }) {
  return (
    <section aria-labelledby="settings-title" class="card settings">
      <h2 id="settings-title">Settings (not versioned)</h2>
      <p class="note">These belong to the deployment, not to a version: rollback and promote do not change them.</p>
      <dl>
        <dt>Paused</dt>
        <dd>{settings.paused ? "yes" : "no"}</dd>
        <dt>Schedules</dt>
        <dd>
          <code>{JSON.stringify(settings.schedules)}</code>
        </dd>
        <dt>Concurrency limit</dt>
        <dd>{settings.concurrencyLimit ?? "none"}</dd>
        <dt>Concurrency options</dt>
        <dd>
          <code>{JSON.stringify(settings.concurrencyOptions ?? null)}</code>
        </dd>
      </dl>
    </section>
  );
}

import type { LiveChange } from "./api";
import { Time } from "./time";

/** The live pointer's moves, newest first: kind, actor, reason, from → to, time. */
export function Timeline({ changes, more }: { changes: LiveChange[]; more: boolean }) {
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Live timeline</h2>
      <ol class="timeline">
        {changes.map((c) => (
          <li key={c.id} data-kind={c.kind}>
            <span class={`kind kind-${c.kind.toLowerCase()}`}>{c.kind}</span>{" "}
            {c.previousVersion ? `#${c.previousVersion.number} → ` : ""}#{c.liveVersion.number} by <strong class="actor">{c.actor}</strong>, <Time iso={c.at} />
            {c.reason && <q class="reason">{c.reason}</q>}
          </li>
        ))}
      </ol>
      {more && <p class="muted">Older moves: see the API (<code>liveHistory</code>).</p>}
    </section>
  );
}

import { useState } from "preact/hooks";
import { ApiError, CHANGE_FIELDS, gql, type Connection, type LiveChange } from "./api";
import { useSession } from "./session";
import { Time } from "./time";

const OLDER = `query OlderMoves($id: ID!, $after: String) {
  deployment(id: $id) { liveHistory(first: 20, after: $after) { edges { node { ${CHANGE_FIELDS} } } pageInfo { hasNextPage endCursor } } }
}`;

/**
 * The live pointer's moves, newest first: kind, from → to, actor, reason, time. Older pages load on
 * demand; the page remounts this (keyed by the newest move) when a new move arrives, so the pages
 * loaded never leave a gap.
 */
export function Timeline({ deploymentId, first }: { deploymentId: string; first: Connection<LiveChange> }) {
  const { key } = useSession();
  const [changes, setChanges] = useState(first.edges.map((e) => e.node));
  const [page, setPage] = useState(first.pageInfo);
  const [error, setError] = useState<string | null>(null);
  const older = async () => {
    try {
      const data = await gql<{ deployment: { liveHistory: Connection<LiveChange> } | null }>(key, OLDER, { id: deploymentId, after: page.endCursor });
      const history = data.deployment?.liveHistory;
      if (!history) return;
      setChanges((c) => [...c, ...history.edges.map((e) => e.node)]);
      setPage(history.pageInfo);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Live timeline</h2>
      <ol class="timeline">
        {changes.map((c) => (
          <li key={c.id} data-kind={c.kind}>
            <span class={`kind kind-${c.kind.toLowerCase()}`}>{c.kind}</span>{" "}
            {c.previousVersion && c.previousVersion.number !== c.liveVersion.number ? `#${c.previousVersion.number} → ` : ""}#{c.liveVersion.number} by{" "}
            <strong class="actor">{c.actor}</strong>, <Time iso={c.at} />
            {c.reason && <q class="reason">{c.reason}</q>}
          </li>
        ))}
      </ol>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page.hasNextPage && (
        <button type="button" class="secondary" onClick={() => void older()}>
          Show older moves
        </button>
      )}
    </section>
  );
}

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, CHANGE_FIELDS, gql, type LiveChange } from "./api";
import { useSession } from "./session";

export interface Move {
  kind: "rollback" | "promote";
  deploymentId: string;
  target: { id: string; number: number };
  /** The live version the user saw when choosing: the move is a compare-and-set against it. */
  expectedLive: { id: string; number: number };
}

export type MoveOutcome = { ok: true; change: LiveChange } | { ok: false; conflict: boolean; message: string };

const MUTATIONS = {
  rollback: `mutation Rollback($input: RollbackInput!) { rollback(input: $input) { change { ${CHANGE_FIELDS} } } }`,
  promote: `mutation Promote($input: PromoteInput!) { promote(input: $input) { change { ${CHANGE_FIELDS} } } }`,
};

export const moveLabel = (kind: Move["kind"], number: number) => (kind === "rollback" ? `Roll back to #${number}` : `Promote #${number}`);

/** Asks for the reason, then sends the move with expectedLiveVersionId; a refusal is reported, never retried. */
export function MoveForm({ move, onDone, onCancel }: { move: Move; onDone: (outcome: MoveOutcome) => void; onCancel: () => void }) {
  const { key } = useSession();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => field.current?.focus(), []);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError("A reason is required: it is recorded in the live history.");
      field.current?.focus();
      return;
    }
    setBusy(true);
    const input = { deploymentId: move.deploymentId, versionId: move.target.id, expectedLiveVersionId: move.expectedLive.id, reason: reason.trim() };
    try {
      const data = await gql<Record<string, { change: LiveChange }>>(key, MUTATIONS[move.kind], { input });
      onDone({ ok: true, change: data[move.kind]!.change });
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "UNKNOWN";
      onDone({ ok: false, conflict: code === "LIVE_VERSION_CONFLICT", message: `${code}: ${(e as Error).message}` });
    }
  };
  const title = `${moveLabel(move.kind, move.target.number)} (live now: #${move.expectedLive.number})`;
  return (
    <form class="card move-form" onSubmit={(e) => void submit(e)} aria-label={title} noValidate onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <h3>{title}</h3>
      <label for="move-reason">Reason (required, recorded in the live history)</label>
      <textarea
        id="move-reason"
        ref={field}
        rows={2}
        maxLength={1000}
        value={reason}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "move-error" : undefined}
        onInput={(e) => (setReason(e.currentTarget.value), setError(null))}
      />
      {error && (
        <p id="move-error" class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Moving…" : moveLabel(move.kind, move.target.number)}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

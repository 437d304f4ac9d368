import { useEffect, useRef, useState } from "preact/hooks";
import { CHANGE_FIELDS, SOURCE_FIELDS, type Connection, type LiveChange, type VersionSummary } from "./api";
import { followLiveChanges } from "./live";
import { DeploymentMarks, MARK_FIELDS, moveBlocker, type Marked } from "./marks";
import { MoveForm, type Move, type MoveOutcome } from "./move-form";
import { onLinkClick, useHeadingFocus, useTitle } from "./router";
import { useSession } from "./session";
import { SettingsPanel } from "./settings";
import { Timeline } from "./timeline";
import { useQuery } from "./use-query";
import { VERSIONS_PAGE, VersionsSection, type PageArgs } from "./versions-section";

export interface DeploymentData extends Marked {
  id: string;
  flowName: string;
  name: string;
  schedules: unknown;
  concurrencyLimit: number | null;
  concurrencyOptions: unknown;
  versionCount: number;
  liveVersion: { id: string; number: number; version: string } | null;
  versions: Connection<VersionSummary>;
  liveHistory: Connection<LiveChange>;
}

const DEPLOYMENT = `query DeploymentPage($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  deployment(id: $id) {
    id flowName name ${MARK_FIELDS} schedules concurrencyLimit concurrencyOptions versionCount
    liveVersion { id number version }
    versions(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id number version isLive createdAt createdBy ${SOURCE_FIELDS} codePin { pinned warnings } flag { status by reason } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
    liveHistory(first: 10) { edges { node { ${CHANGE_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
  }
}`;

type Notice = { text: string; error?: boolean } | null;

function outcomeNotice(outcome: MoveOutcome): Notice {
  if (outcome.ok) return { text: `${outcome.change.kind === "ROLLBACK" ? "Rolled back" : "Promoted"} to #${outcome.change.liveVersion.number}.` };
  if (outcome.conflict)
    return { text: "Not moved: someone else changed the live version meanwhile. The page now shows the current state; choose again.", error: true };
  return { text: `Not moved: ${outcome.message}`, error: true };
}

/**
 * Follows the deployment's changes from the newest one the first answer holds, so nothing made
 * between that answer and the subscription is missed; each change refreshes what is shown and is
 * announced, except this page's own moves (`own`), which their outcome reports.
 */
function useLiveChanges(id: string, deployment: DeploymentData | null | undefined, refetch: () => void, announce: (notice: Notice) => void): Set<string> {
  const { live } = useSession();
  const [after, setAfter] = useState<number | null | undefined>(undefined);
  if (deployment && after === undefined) setAfter(deployment.liveHistory.edges[0]?.node.sequence ?? null);
  const latest = useRef({ refetch, announce });
  latest.current = { refetch, announce };
  const own = useRef(new Set<string>());
  useEffect(() => {
    if (after === undefined) return;
    return followLiveChanges(live, { deploymentId: id }, after, (change) => {
      if (!own.current.has(change.id))
        latest.current.announce({ text: `Live version changed: ${change.kind.toLowerCase()} to #${change.liveVersion.number} by ${change.actor}.` });
      latest.current.refetch();
    });
  }, [after, id, live]);
  return own.current;
}

export function DeploymentView({ id }: { id: string }) {
  const [page, setPage] = useState<PageArgs>({ first: VERSIONS_PAGE });
  const { data, error, refetch } = useQuery<{ deployment: DeploymentData | null }>(DEPLOYMENT, { id, ...page });
  const [move, setMove] = useState<Move | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const deployment = data?.deployment;
  useTitle(deployment ? `${deployment.flowName}/${deployment.name}` : null);
  const heading = useHeadingFocus(Boolean(deployment));
  const ownMoves = useLiveChanges(id, deployment, refetch, setNotice);

  if (error && !deployment)
    return (
      <p class="error" role="alert">
        {error.code}: {error.message}
      </p>
    );
  if (!data) return <p aria-busy="true">Loading…</p>;
  if (!deployment)
    return (
      <p class="error" role="alert">
        No deployment with id {id} in this workspace.{" "}
        <a href="/" onClick={onLinkClick}>
          All deployments
        </a>
      </p>
    );
  const done = (outcome: MoveOutcome) => {
    setMove(null);
    if (outcome.ok) ownMoves.add(outcome.change.id);
    setNotice(outcomeNotice(outcome));
    refetch();
  };
  const blocker = moveBlocker(deployment);
  return (
    <article aria-labelledby="deployment-title">
      <p>
        <a href="/" onClick={onLinkClick}>
          ← All deployments
        </a>
      </p>
      <h1 id="deployment-title" ref={heading} tabIndex={-1}>
        <span class="flow">{deployment.flowName}</span> / <bdi>{deployment.name}</bdi>
        <DeploymentMarks deployment={deployment} />
      </h1>
      <p class="summary">
        Live:{" "}
        {deployment.liveVersion ? (
          <strong>
            #{deployment.liveVersion.number} <code>{deployment.liveVersion.version}</code>
          </strong>
        ) : (
          "none"
        )}{" "}
        · {deployment.versionCount} versions
      </p>
      {notice && (
        <p class={notice.error ? "error" : "notice"} role={notice.error ? "alert" : "status"}>
          {notice.text}
        </p>
      )}
      {blocker && <p class="note">{blocker}</p>}
      {move && <MoveForm move={move} onDone={done} onCancel={() => setMove(null)} />}
      <VersionsSection deployment={deployment} onPage={setPage} onMove={setMove} />
      <div class="columns">
        <Timeline key={deployment.liveHistory.edges[0]?.node.id} deploymentId={deployment.id} first={deployment.liveHistory} />
        <SettingsPanel settings={deployment} />
      </div>
    </article>
  );
}

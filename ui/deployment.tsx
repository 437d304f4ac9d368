import { useEffect, useRef, useState } from "preact/hooks";
import { CHANGE_FIELDS, SOURCE_FIELDS, type Connection, type LiveChange, type VersionSummary } from "./api";
import { followLiveChanges } from "./live";
import { MoveForm, type Move, type MoveOutcome } from "./move-form";
import { comparePath, onLinkClick, useHeadingFocus, useTitle } from "./router";
import { mayMove, useSession } from "./session";
import { SettingsPanel } from "./settings";
import { Timeline } from "./timeline";
import { useQuery } from "./use-query";
import { VersionsTable } from "./versions-table";

export const VERSIONS_PAGE = 10;

interface DeploymentData {
  id: string;
  flowName: string;
  name: string;
  paused: boolean;
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
    id flowName name paused schedules concurrencyLimit concurrencyOptions versionCount
    liveVersion { id number version }
    versions(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id number version isLive createdAt createdBy ${SOURCE_FIELDS} codePin { pinned warnings } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
    liveHistory(first: 10) { edges { node { ${CHANGE_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
  }
}`;

/** The newest page follows new versions as they come; an older page stays where it is. */
type PageArgs = { first: number; after?: string } | { last: number; before: string };

export function DeploymentView({ id }: { id: string }) {
  const { live, viewer } = useSession();
  const [page, setPage] = useState<PageArgs>({ first: VERSIONS_PAGE });
  const { data, error, refetch } = useQuery<{ deployment: DeploymentData | null }>(DEPLOYMENT, { id, ...page });
  const [selected, setSelected] = useState<string[]>([]);
  const [move, setMove] = useState<Move | null>(null);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const deployment = data?.deployment;
  useTitle(deployment ? `${deployment.flowName}/${deployment.name}` : null);
  const heading = useHeadingFocus(Boolean(deployment));

  // Follow the deployment's changes from the newest one the first answer holds, so nothing made
  // between that answer and the subscription is missed; each change refreshes what is shown.
  const [after, setAfter] = useState<number | null | undefined>(undefined);
  if (deployment && after === undefined) setAfter(deployment.liveHistory.edges[0]?.node.sequence ?? null);
  const refresh = useRef(refetch);
  const ownMoves = useRef(new Set<string>());
  refresh.current = refetch;
  useEffect(() => {
    if (after === undefined) return;
    return followLiveChanges(live, { deploymentId: id }, after, (change) => {
      // This page's own move is reported by its outcome, which the echo must not replace.
      if (!ownMoves.current.has(change.id)) setNotice({ text: `Live version changed: ${change.kind.toLowerCase()} to #${change.liveVersion.number} by ${change.actor}.` });
      refresh.current();
    });
  }, [after, id, live]);

  if (error && !deployment) return <p class="error" role="alert">{error.code}: {error.message}</p>;
  if (!data) return <p aria-busy="true">Loading…</p>;
  if (!deployment) return <p class="error" role="alert">No deployment with id {id} in this workspace. <a href="/" onClick={onLinkClick}>All deployments</a></p>;

  const versions = deployment.versions.edges.map((e) => e.node);
  const info = deployment.versions.pageInfo;
  const newest = versions[0]?.number ?? 0;
  const oldest = versions.at(-1)?.number ?? 0;
  const done = (outcome: MoveOutcome) => {
    setMove(null);
    if (outcome.ok) ownMoves.current.add(outcome.change.id);
    setNotice(outcome.ok
      ? { text: `${outcome.change.kind === "ROLLBACK" ? "Rolled back" : "Promoted"} to #${outcome.change.liveVersion.number}.` }
      : { text: outcome.conflict ? "Not moved: someone else changed the live version meanwhile. The page now shows the current state; choose again." : `Not moved: ${outcome.message}`, error: true });
    refetch();
  };
  const pair = selected.length === 2 ? selected : null;
  return (
    <article aria-labelledby="deployment-title">
      <p><a href="/" onClick={onLinkClick}>← All deployments</a></p>
      <h1 id="deployment-title" ref={heading} tabIndex={-1}><span class="flow">{deployment.flowName}</span> / {deployment.name}{deployment.paused && <span class="badge">paused</span>}</h1>
      <p class="summary">
        Live: {deployment.liveVersion ? <strong>#{deployment.liveVersion.number} <code>{deployment.liveVersion.version}</code></strong> : "none"} · {deployment.versionCount} versions
      </p>
      {notice && <p class={notice.error ? "error" : "notice"} role={notice.error ? "alert" : "status"}>{notice.text}</p>}
      {move && <MoveForm move={move} onDone={done} onCancel={() => setMove(null)} />}
      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions <span class="muted range">{versions.length ? `#${newest}–#${oldest} of ${deployment.versions.totalCount}` : ""}</span></h2>
        <VersionsTable
          deploymentId={deployment.id}
          versions={versions}
          live={deployment.liveVersion}
          canMove={mayMove(viewer)}
          selected={selected}
          onSelect={(vid, on) => setSelected((s) => (on ? [...s.filter((x) => x !== vid), vid].slice(-2) : s.filter((x) => x !== vid)))}
          onMove={(kind, v) => deployment.liveVersion && setMove({ kind, deploymentId: deployment.id, target: { id: v.id, number: v.number }, expectedLive: deployment.liveVersion })}
        />
        <nav class="pager" aria-label="Version pages">
          <button type="button" disabled={newest >= deployment.versionCount} onClick={() => setPage(newest + VERSIONS_PAGE >= deployment.versionCount ? { first: VERSIONS_PAGE } : { last: VERSIONS_PAGE, before: info.startCursor! })}>Newer</button>
          <button type="button" disabled={oldest <= 1} onClick={() => setPage({ first: VERSIONS_PAGE, after: info.endCursor! })}>Older</button>
          {pair && <a class="button" href={comparePath(deployment.id, pair[0]!, pair[1]!)} onClick={onLinkClick}>Compare the two selected</a>}
          {!pair && <span class="muted">Tick two versions to compare them.</span>}
        </nav>
      </section>
      <div class="columns">
        <Timeline key={deployment.liveHistory.edges[0]?.node.id} deploymentId={deployment.id} first={deployment.liveHistory} />
        <SettingsPanel settings={deployment} />
      </div>
    </article>
  );
}

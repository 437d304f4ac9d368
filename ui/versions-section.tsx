import { useState } from "preact/hooks";
import type { DeploymentData } from "./deployment";
import { moveBlocker } from "./marks";
import type { Move } from "./move-form";
import { comparePath, onLinkClick } from "./router";
import { mayMove, useSession } from "./session";
import { VersionsTable } from "./versions-table";

export const VERSIONS_PAGE = 10;

/** The newest page follows new versions as they come; an older page stays where it is. */
export type PageArgs = { first: number; after?: string } | { last: number; before: string };

interface Props {
  deployment: DeploymentData;
  onPage: (page: PageArgs) => void;
  onMove: (move: Move) => void;
}

/** A page of versions with its pager, the two versions ticked for comparing, and the move buttons. */
export function VersionsSection({ deployment, onPage, onMove }: Props) {
  const { viewer } = useSession();
  const [selected, setSelected] = useState<string[]>([]);
  const versions = deployment.versions.edges.map((e) => e.node);
  const info = deployment.versions.pageInfo;
  // Numbers are gapless, so they tell whether newer or older versions exist, whichever way the page was reached.
  const newest = versions[0]?.number ?? 0;
  const oldest = versions.at(-1)?.number ?? 0;
  const live = deployment.liveVersion;
  const pair = selected.length === 2 ? selected : null;
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">
        Versions <span class="muted range">{versions.length ? `#${newest}–#${oldest} of ${deployment.versions.totalCount}` : ""}</span>
      </h2>
      <VersionsTable
        deploymentId={deployment.id}
        versions={versions}
        live={live}
        canMove={mayMove(viewer) && !moveBlocker(deployment)}
        selected={selected}
        onSelect={(id, on) => setSelected((s) => (on ? [...s.filter((x) => x !== id), id].slice(-2) : s.filter((x) => x !== id)))}
        onMove={(kind, v) => live && onMove({ kind, deploymentId: deployment.id, target: { id: v.id, number: v.number }, expectedLive: live })}
      />
      <nav class="pager" aria-label="Version pages">
        <button
          type="button"
          disabled={newest >= deployment.versionCount}
          onClick={() =>
            onPage(newest + VERSIONS_PAGE >= deployment.versionCount ? { first: VERSIONS_PAGE } : { last: VERSIONS_PAGE, before: info.startCursor! })
          }
        >
          Newer
        </button>
        <button type="button" disabled={oldest <= 1} onClick={() => onPage({ first: VERSIONS_PAGE, after: info.endCursor! })}>
          Older
        </button>
        {pair && (
          <a class="button" href={comparePath(deployment.id, pair[0]!, pair[1]!)} onClick={onLinkClick}>
            Compare the two selected
          </a>
        )}
        {!pair && <span class="muted">Tick two versions to compare them.</span>}
      </nav>
    </section>
  );
}

import { useEffect, useState } from "preact/hooks";
import type { Connection } from "./api";
import { DeploymentMarks, MARK_FIELDS, type Marked } from "./marks";
import { followLiveChanges } from "./live";
import { deploymentPath, onLinkClick, useHeadingFocus, useTitle } from "./router";
import { useSession } from "./session";
import { Time } from "./time";
import { useQuery } from "./use-query";

interface Row extends Marked {
  id: string;
  flowName: string;
  name: string;
  versionCount: number;
  updatedAt: string;
  liveVersion: { number: number; version: string } | null;
  liveHistory: Connection<{ kind: string; actor: string; at: string }>;
}

const PAGE = 25;
const DEPLOYMENTS = `query Deployments($first: Int!, $after: String, $filter: DeploymentFilter) {
  deployments(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id flowName name ${MARK_FIELDS} versionCount updatedAt liveVersion { number version } liveHistory(first: 1) { edges { node { kind actor at } } pageInfo { hasNextPage } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** Waits until typing pauses before the value is used in a query. */
function useDebounced(value: string, ms = 250): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** One row per deployment: its name (a link to it), its live version and its last change. */
function DeploymentRows({ rows }: { rows: Row[] }) {
  return (
    <div class="table-wrap">
      <table class="deployments">
        <thead>
          <tr>
            <th scope="col">Flow / deployment</th>
            <th scope="col">Live version</th>
            <th scope="col">Last change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((node) => {
            const last = node.liveHistory.edges[0]?.node;
            return (
              <tr key={node.id}>
                <td data-label="Deployment">
                  <a href={deploymentPath(node.id)} onClick={onLinkClick}>
                    <span class="flow">{node.flowName}</span> / <strong>{node.name}</strong>
                  </a>
                  <DeploymentMarks deployment={node} />
                </td>
                <td data-label="Live">
                  {node.liveVersion ? (
                    <>
                      #{node.liveVersion.number} <code>{node.liveVersion.version}</code> <span class="muted">of {node.versionCount}</span>
                    </>
                  ) : (
                    "none"
                  )}
                </td>
                <td data-label="Last change">
                  {last ? (
                    <>
                      {last.kind.toLowerCase()} by <bdi>{last.actor}</bdi>, <Time iso={last.at} />
                    </>
                  ) : (
                    <Time iso={node.updatedAt} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Asks again on any change of a live version in the workspace (it may change a row, or add one), once per burst. */
function useRefetchOnLiveChange(refetch: () => void): void {
  const { live } = useSession();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = followLiveChanges(live, {}, null, () => {
      clearTimeout(timer);
      timer = setTimeout(refetch, 200);
    });
    // After a reconnect nothing says what was missed here: ask again anyway.
    const off = live.on("connected", () => refetch());
    return () => (clearTimeout(timer), stop(), off());
  }, [live, refetch]);
}

export function DeploymentList() {
  useTitle("Deployments");
  const heading = useHeadingFocus(true);
  const [search, setSearch] = useState("");
  const [flow, setFlow] = useState("");
  const [archived, setArchived] = useState(false);
  const [pages, setPages] = useState<Array<string | null>>([null]);
  const filter = {
    nameContains: useDebounced(search.trim()) || undefined,
    flowName: useDebounced(flow.trim()) || undefined,
    includeArchived: archived || undefined,
  };
  const after = pages[pages.length - 1];
  const { data, error, loading, refetch } = useQuery<{ deployments: Connection<Row> }>(DEPLOYMENTS, { first: PAGE, after, filter });
  useRefetchOnLiveChange(refetch);
  const [flows, setFlows] = useState<string[]>([]);
  useEffect(() => {
    const seen = data?.deployments.edges.map((e) => e.node.flowName) ?? [];
    setFlows((old) => [...new Set([...old, ...seen])].sort());
  }, [data]);
  const connection = data?.deployments;
  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title" ref={heading} tabIndex={-1}>
        Deployments
      </h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Name contains
          <input type="search" value={search} onInput={(e) => (setSearch(e.currentTarget.value), setPages([null]))} />
        </label>
        <label>
          Flow
          <input type="search" list="flows" value={flow} onInput={(e) => (setFlow(e.currentTarget.value), setPages([null]))} placeholder="any flow" />
          <datalist id="flows">
            {flows.map((f) => (
              <option key={f} value={f} />
            ))}
          </datalist>
        </label>
        <label class="inline">
          <input type="checkbox" checked={archived} onChange={(e) => (setArchived(e.currentTarget.checked), setPages([null]))} />
          Show archived
        </label>
      </form>
      {error && (
        <p class="error" role="alert">
          {error.code}: {error.message}
        </p>
      )}
      {connection && (
        <p class="muted" aria-live="polite">
          {connection.totalCount} deployment{connection.totalCount === 1 ? "" : "s"}
          {loading ? " · loading…" : ""}
        </p>
      )}
      {connection && connection.edges.length > 0 && <DeploymentRows rows={connection.edges.map((e) => e.node)} />}
      {connection && connection.edges.length === 0 && !loading && (
        <p>
          No deployment matches. Create one with <code>waymark deploy</code> or the <a href="/graphql">playground</a>.
        </p>
      )}
      <nav class="pager" aria-label="Deployment pages">
        <button type="button" disabled={pages.length === 1} onClick={() => setPages(pages.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={!connection?.pageInfo.hasNextPage} onClick={() => setPages([...pages, connection!.pageInfo.endCursor])}>
          Next
        </button>
      </nav>
    </section>
  );
}

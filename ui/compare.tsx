import { SOURCE_FIELDS, type SourceInfo } from "./api";
import { showValue, versionDifferences, VERSIONED_FIELDS, VERSIONED_PROPERTIES } from "./diff";
import { commitUrl, compareUrl } from "../src/release/repo-web";
import { deploymentPath, onLinkClick, useHeadingFocus, useTitle } from "./router";
import { Time } from "./time";
import { useQuery } from "./use-query";

interface FullVersion extends Record<string, unknown> {
  id: string;
  number: number;
  version: string;
  contentHash: string;
  createdAt: string;
  createdBy: string;
  isLive: boolean;
  sourceInfo: SourceInfo | null;
  deployment: { id: string; flowName: string; name: string };
}

const TWO_VERSIONS = `query CompareVersions($a: ID!, $b: ID!) {
  a: deploymentVersion(id: $a) { ...Compared }
  b: deploymentVersion(id: $b) { ...Compared }
}
fragment Compared on DeploymentVersion {
  id number isLive createdAt createdBy ${VERSIONED_FIELDS} ${SOURCE_FIELDS} deployment { id flowName name }
}`;

function Side({ v }: { v: FullVersion }) {
  const commit = commitUrl(v.sourceInfo);
  const sha = v.sourceInfo?.commitSha;
  return (
    <div class="card side">
      <h2>
        #{v.number} <code>{v.version}</code>
        {v.isLive && <span class="live-mark"> ● live</span>}
      </h2>
      <p>
        <bdi>{v.createdBy}</bdi>, <Time iso={v.createdAt} />
      </p>
      {sha && (
        <p>
          Commit{" "}
          {commit ? (
            <a href={commit} target="_blank" rel="noopener noreferrer">
              <code>{sha.slice(0, 7)}</code>
            </a>
          ) : (
            <code>{sha.slice(0, 7)}</code>
          )}
          {v.sourceInfo?.branch && (
            <>
              {" "}
              on <bdi>{v.sourceInfo.branch}</bdi>
            </>
          )}
        </p>
      )}
      {v.sourceInfo?.message && <p class="message">{v.sourceInfo.message}</p>}
    </div>
  );
}

/**
 * Two versions side by side: the differences of their versioned properties, computed here from
 * both versions' fields, and a link to the repository host's comparison of their commits.
 */
export function Compare({ id, from, to }: { id: string; from: string; to: string }) {
  const { data, error } = useQuery<{ a: FullVersion | null; b: FullVersion | null }>(TWO_VERSIONS, { a: from, b: to });
  useTitle(data?.a && data.b ? `#${data.a.number} ↔ #${data.b.number} ${data.a.deployment.flowName}/${data.a.deployment.name}` : null);
  const heading = useHeadingFocus(Boolean(data?.a && data.b));
  const back = (
    <p>
      <a href={deploymentPath(id)} onClick={onLinkClick}>
        ← Back to the deployment
      </a>
    </p>
  );
  if (error)
    return (
      <>
        {back}
        <p class="error" role="alert">
          {error.code}: {error.message}
        </p>
      </>
    );
  if (!data) return <p aria-busy="true">Loading…</p>;
  if (!data.a || !data.b || data.a.deployment.id !== id || data.b.deployment.id !== id)
    return (
      <>
        {back}
        <p class="error" role="alert">
          These two versions are not both versions of this deployment.
        </p>
      </>
    );
  const [older, newer] = data.a.number <= data.b.number ? [data.a, data.b] : [data.b, data.a];
  const differences = versionDifferences(older, newer);
  const commits = compareUrl(older.sourceInfo, newer.sourceInfo);
  const unchanged = VERSIONED_PROPERTIES.filter((p) => !differences.some((d) => d.path === p || d.path.startsWith(`${p}.`) || d.path.startsWith(`${p}[`)));
  return (
    <article aria-labelledby="compare-title">
      {back}
      <h1 id="compare-title" ref={heading} tabIndex={-1}>
        <span class="flow">{older.deployment.flowName}</span> / <bdi>{older.deployment.name}</bdi>: #{older.number} → #{newer.number}
      </h1>
      <div class="sides">
        <Side v={older} />
        <Side v={newer} />
      </div>
      {commits && (
        <p>
          <a href={commits} target="_blank" rel="noopener noreferrer">
            Compare the commits on the repository host
          </a>
        </p>
      )}
      <section aria-labelledby="diff-title">
        <h2 id="diff-title">Versioned properties</h2>
        {older.contentHash === newer.contentHash ? (
          <p>
            Same configuration: every versioned property is equal (content hash <code>{older.contentHash.slice(0, 12)}</code>)
            {differences.length > 0 ? ", only the names differ" : ""}.
          </p>
        ) : null}
        {differences.length > 0 && (
          <div class="table-wrap">
            <table class="diff">
              <thead>
                <tr>
                  <th scope="col">Property</th>
                  <th scope="col">#{older.number}</th>
                  <th scope="col">#{newer.number}</th>
                </tr>
              </thead>
              <tbody>
                {differences.map((d) => (
                  <tr key={d.path}>
                    <th scope="row" data-label="Property">
                      <code>{d.path}</code>
                    </th>
                    <td data-label={`#${older.number}`} class="before">
                      <code>{showValue(d.before)}</code>
                    </td>
                    <td data-label={`#${newer.number}`} class="after">
                      <code>{showValue(d.after)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {differences.length > 0 && <p class="muted">Unchanged: {unchanged.join(", ") || "none"}.</p>}
        <p class="note">Settings (paused, schedules, concurrency) are not versioned and so never differ between versions.</p>
      </section>
    </article>
  );
}

import type { VersionSummary } from "./api";
import { moveLabel, type Move } from "./move-form";
import { commitUrl } from "../src/release/repo-web";
import { comparePath, onLinkClick } from "./router";
import { Time } from "./time";

interface Props {
  deploymentId: string;
  versions: VersionSummary[];
  live: { id: string; number: number } | null;
  canMove: boolean;
  selected: string[];
  onSelect: (id: string, on: boolean) => void;
  onMove: (kind: Move["kind"], version: VersionSummary) => void;
}

function Commit({ version }: { version: VersionSummary }) {
  const sha = version.sourceInfo?.commitSha;
  if (!sha) return <span class="muted">—</span>;
  const href = commitUrl(version.sourceInfo);
  const short = <code>{sha.slice(0, 7)}</code>;
  return href ? (
    <a href={href} rel="noopener noreferrer" target="_blank" title={sha}>
      {short}
    </a>
  ) : (
    <span title={sha}>{short}</span>
  );
}

function CodePin({ pin }: { pin: VersionSummary["codePin"] }) {
  if (pin.pinned) return <span class="pin pin-yes">pinned</span>;
  return (
    <span class="pin pin-no" title={pin.warnings.join("\n")}>
      not pinned
      {pin.warnings.length > 0 && (
        <ul class="warnings">
          {pin.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </span>
  );
}

/** One page of versions, newest first, each with its source, pin, live mark, compare box and move button. */
export function VersionsTable({ deploymentId, versions, live, canMove, selected, onSelect, onMove }: Props) {
  return (
    <div class="table-wrap">
      <table class="versions">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Name</th>
            <th scope="col">Commit</th>
            <th scope="col">Branch</th>
            <th scope="col">Message</th>
            <th scope="col">Created</th>
            <th scope="col">Code pin</th>
            <th scope="col">Live</th>
            <th scope="col">Compare</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const kind = live && v.number < live.number ? "rollback" : "promote";
            return (
              <tr key={v.id} class={v.isLive ? "is-live" : undefined} data-number={v.number}>
                <th scope="row" data-label="#">
                  #{v.number}
                </th>
                <td data-label="Name">
                  <code>{v.version}</code>
                  {v.flag?.status === "BAD" && (
                    <span class="badge badge-bad" title={`flagged bad by ${v.flag.by}${v.flag.reason ? `: ${v.flag.reason}` : ""}`}>
                      bad
                    </span>
                  )}
                </td>
                <td data-label="Commit">
                  <Commit version={v} />
                </td>
                <td data-label="Branch">{v.sourceInfo?.branch ?? <span class="muted">—</span>}</td>
                <td data-label="Message" class="message">
                  {v.sourceInfo?.message ?? <span class="muted">—</span>}
                </td>
                <td data-label="Created">
                  <bdi>{v.createdBy}</bdi>, <Time iso={v.createdAt} />
                </td>
                <td data-label="Code pin">
                  <CodePin pin={v.codePin} />
                </td>
                <td data-label="Live">
                  {v.isLive ? (
                    <span class="live-mark">● live</span>
                  ) : (
                    canMove && (
                      <button type="button" class="move" onClick={() => onMove(kind, v)}>
                        {moveLabel(kind, v.number)}
                      </button>
                    )
                  )}
                </td>
                <td data-label="Compare">
                  <input
                    type="checkbox"
                    aria-label={`Compare #${v.number}`}
                    checked={selected.includes(v.id)}
                    onChange={(e) => onSelect(v.id, e.currentTarget.checked)}
                  />
                  {live && !v.isLive && (
                    <a
                      class="vs-live"
                      href={comparePath(deploymentId, v.id, live.id)}
                      onClick={onLinkClick}
                      aria-label={`Compare #${v.number} with the live #${live.number}`}
                    >
                      vs live
                    </a>
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

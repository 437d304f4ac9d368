/** The GraphQL operations of the release commands (diff, dry runs, staging, pins, flags), as in schema.graphql. */

export const DIFF_FIELDS = "identical sourceCompareUrl from { id number version } to { id number version } changes { path op before after }";

export const VERSION_DIFF = `query WaymarkDiff($fromId: ID!, $toId: ID!) { versionDiff(fromId: $fromId, toId: $toId) { ${DIFF_FIELDS} } }`;

export const VERSION_BY_NUMBER = `query WaymarkVersionNumber($flowName: String!, $name: String!, $number: Int!) {
  deploymentByName(flowName: $flowName, name: $name) { id version(number: $number) { id number version } }
}`;

export interface VersionDiffView {
  identical: boolean;
  sourceCompareUrl: string | null;
  from: { id: string; number: number; version: string };
  to: { id: string; number: number; version: string };
  changes: Array<{ path: string; op: "ADD" | "REMOVE" | "REPLACE"; before: unknown; after: unknown }>;
}

const MOVE_FIELDS = `id sequence kind actor reason at previousVersion { id number version } liveVersion { id number version } diff { ${DIFF_FIELDS} }`;

/** A rollback or promote with its diff, for `--dry-run`. */
export const MOVE_WITH_DIFF = {
  rollback: `mutation WaymarkRollbackDry($input: RollbackInput!) { rollback(input: $input) { change { ${MOVE_FIELDS} } } }`,
  promote: `mutation WaymarkPromoteDry($input: PromoteInput!) { promote(input: $input) { change { ${MOVE_FIELDS} } } }`,
};

const PIN_FIELDS = "deployment { id liveVersion { id number version } pin { by at reason } } change { id sequence kind }";
export const PIN_LIVE = `mutation WaymarkPin($input: PinLiveInput!) { pinLive(input: $input) { ${PIN_FIELDS} } }`;
export const UNPIN_LIVE = `mutation WaymarkUnpin($input: UnpinLiveInput!) { unpinLive(input: $input) { ${PIN_FIELDS} } }`;

export interface PinAnswer {
  deployment: {
    id: string;
    liveVersion: { id: string; number: number; version: string } | null;
    pin: { by: string; at: string; reason: string | null } | null;
  };
  change: { id: string; sequence: number; kind: string } | null;
}

export const FLAG_VERSION = `mutation WaymarkFlag($input: FlagVersionInput!) {
  flagVersion(input: $input) { version { id number version } flag { status by at reason } }
}`;

import { CHANGE_SELECTION } from "./reliability-history";

/** The mutations with light selections, so load spends its time on writes rather than on fields. */
export const CREATE = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { version { id number } change { ${CHANGE_SELECTION} } } }`;
export const ROLLBACK = `mutation($input: RollbackInput!) { rollback(input: $input) { change { ${CHANGE_SELECTION} } } }`;
export const PROMOTE = `mutation($input: PromoteInput!) { promote(input: $input) { change { ${CHANGE_SELECTION} } } }`;
export const LIVE = `query($id: ID!) { deployment(id: $id) { id versionCount liveVersion { id number } } }`;

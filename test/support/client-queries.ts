/**
 * The operations the frontend-client suites (Apollo Client, urql) send, as text: each suite parses
 * them with its own library's `gql`, as an app using that library would.
 */

/** Two versions a page, with the live version: enough to see paging and `isLive` change in a cache. */
export const HISTORY_TEXT = `
  query History($id: ID!, $after: String) {
    deployment(id: $id) {
      id
      liveVersion { id number }
      versions(first: 2, after: $after) {
        edges { cursor node { id number isLive } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

/** A live change with what a normalising cache needs to update the versions and the deployment it touched. */
export const CHANGE = "id sequence kind previousVersion { id isLive } liveVersion { id isLive } deployment { id liveVersion { id number } }";

export const LIVE_TEXT = `subscription Live { liveVersionChanged { ${CHANGE} } }`;

/** The operations a newcomer sees first, one tab each (GraphiQL keeps them until the user edits). */

/** JSONC: GraphiQL reads the headers editor with comments allowed. */
export const HEADERS_TEMPLATE = `{
  // Paste your API key here, e.g.
  // "Authorization": "Bearer wm_..."
  // One key serves every tab until a reload (or, with the box
  // at the bottom right ticked, until the browser tab is closed).
}`;

const HISTORY = `# Waymark playground
# 1. Paste your API key in Headers below:
#    {"Authorization": "Bearer wm_..."}
# 2. Run with Ctrl-Enter or the play button.
# Nothing listed (totalCount 0)? The server is
# empty: run the CreateVersion tab first (or
# \`waymark deploy\` in CI), then this one again.
# More tabs: createVersion, rollback and the
# liveVersionChanged subscription.
# Docs: book icon; what you ran: clock icon.

query Deployments {
  deployments(first: 10) {
    totalCount
    edges {
      node {
        id
        flowName
        name
        liveVersion { number version }
        versions(first: 10) {
          totalCount
          edges {
            node {
              id number version isLive createdAt createdBy
              sourceInfo { type commitSha branch repository message }
              codePin { pinned warnings }
            }
          }
          pageInfo { hasNextPage endCursor }
        }
        liveHistory(first: 10) {
          edges { node { sequence kind actor reason at previousVersion { number } liveVersion { number } } }
        }
      }
    }
  }
}
`;

const CREATE_VERSION = `# Every call creates a version and makes it live;
# the first one creates the deployment.
mutation CreateVersion($input: CreateVersionInput!) {
  createVersion(input: $input) {
    deployment { id flowName name }
    version { id number version isLive contentHash createdBy }
    change { sequence kind }
  }
}
`;

const ROLLBACK = `# Makes an older version live again (without
# versionId or number: the one before the live one).
mutation Rollback($deploymentId: ID!, $reason: String) {
  rollback(input: { deploymentId: $deploymentId, reason: $reason }) {
    change {
      sequence
      kind
      reason
      previousVersion { number version }
      liveVersion { number version }
    }
    deployment { id viewerCanRollback viewerCanPromote }
  }
}
`;

const LIVE_VERSION_CHANGED = `# Pushes every change of the live version as it
# commits (graphql-ws on /graphql). Start it, then
# run createVersion or rollback in another tab.
subscription LiveVersionChanged($flowName: String) {
  liveVersionChanged(flowName: $flowName) {
    sequence
    kind
    actor
    reason
    at
    deployment { id flowName name }
    previousVersion { number version }
    liveVersion { number version }
  }
}
`;

const json = (value: unknown) => JSON.stringify(value, null, 2);

export const EXAMPLE_TABS = [
  { query: HISTORY, variables: "" },
  {
    query: CREATE_VERSION,
    variables: json({
      input: {
        flowName: "etl",
        name: "prod",
        entrypoint: "flows/etl.py:main",
        workPoolName: "k8s",
        sourceInfo: {
          type: "GITHUB",
          commitSha: "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
          branch: "main",
          repository: "acme/etl",
          message: "Load orders in batches",
        },
      },
    }),
  },
  { query: ROLLBACK, variables: json({ deploymentId: "dep_1", reason: "bad deploy" }) },
  { query: LIVE_VERSION_CHANGED, variables: json({ flowName: "etl" }) },
].map((tab) => ({ ...tab, headers: HEADERS_TEMPLATE }));

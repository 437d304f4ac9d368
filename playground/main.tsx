// Monaco's editor, JSON and GraphQL workers, bundled by vite as separate files served from
// /playground/assets: nothing is loaded from outside the server.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import "./page.css";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { buildSchema } from "graphql";
import { createRoot } from "react-dom/client";
import { EXAMPLE_TABS, HEADERS_TEMPLATE } from "./examples";
import { withOwnOperationName } from "./own-operation";
import { sharedAuthorization } from "./shared-authorization";
import { reconcileSavedTabs } from "./tab-state";
import { useState } from "react";
import sdl from "../schema.graphql?raw";

// Queries go over HTTP POST and subscriptions over graphql-ws, both on /graphql of the server
// that served this page. The toolkit sends the headers editor's content as the graphql-ws
// connection_init payload, which is where the server reads Authorization for subscriptions.
const url = new URL("/graphql", window.location.href).href;
const authorization = sharedAuthorization();
const fetcher = withOwnOperationName(authorization.wrap(createGraphiQLFetcher({ url, subscriptionUrl: url.replace(/^http/, "ws") })));

// The committed schema.graphql, checked against the server's schema by `npm run check`, so the
// docs and completion work before a key is pasted and without an introspection request (whose
// nesting the server's query-depth limit would refuse).
const schema = buildSchema(sdl);

/**
 * GraphiQL 5.4 fills the first tab's variables editor from `initialVariables` only, not from
 * `defaultTabs`; so on a first visit (no saved tabs) the first example's variables go there too.
 */
function firstVisit(): boolean {
  try {
    return window.localStorage.getItem("graphiql:tabState") === null;
  } catch {
    return true;
  }
}
try {
  reconcileSavedTabs(window.localStorage);
} catch {
  // No storage (refused, or full): GraphiQL starts from the example tabs.
}
const initialVariables = firstVisit() ? EXAMPLE_TABS[0]!.variables : undefined;

/** Off by default: a key is kept past a reload only when the user asks, and only for this tab's session. */
function RememberKey() {
  const [checked, setChecked] = useState(authorization.persisted);
  return (
    <label className="waymark-remember">
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => {
          authorization.setPersisted(event.target.checked);
          setChecked(event.target.checked);
        }}
      />
      Remember the key for this browser tab
    </label>
  );
}

function Playground() {
  return (
    <>
      <RememberKey />
      <GraphiQL
        fetcher={fetcher}
        schema={schema}
        initialVariables={initialVariables}
        defaultTabs={EXAMPLE_TABS}
        defaultHeaders={HEADERS_TEMPLATE}
        defaultEditorToolsVisibility="headers"
      >
        <GraphiQL.Logo>Waymark</GraphiQL.Logo>
      </GraphiQL>
    </>
  );
}

createRoot(document.getElementById("root")!).render(<Playground />);

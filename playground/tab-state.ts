/**
 * GraphiQL 5.4 saves the editors' text ("graphiql:query" 100 ms after a change,
 * "graphiql:variables" 500 ms after) apart from the tabs ("graphiql:tabState", 500 ms after). On
 * load it looks for the tab whose query and variables equal the saved editors' text and, when
 * none does, opens one more tab with that text. So a reload within half a second of switching tabs
 * or typing found no match and showed a second copy of a tab (seen in the playground's browser
 * test). Before GraphiQL reads them, this makes the three agree, losing no newer text: the tab
 * whose query is the saved query becomes the active one (a switch not yet saved in the tabs);
 * otherwise the active tab takes the saved query and variables (an edit not yet saved there). After
 * a switch the variables are the chosen tab's: the saved ones may still be the previous tab's.
 */
export function reconcileSavedTabs(storage: Pick<Storage, "getItem" | "setItem">): void {
  const saved = parse(storage.getItem("graphiql:tabState"));
  if (!saved) return;
  const query = storage.getItem("graphiql:query");
  const variables = storage.getItem("graphiql:variables");
  const active = saved.tabs[saved.activeTabIndex]!;
  const switched = query !== null && active.query !== query ? saved.tabs.findIndex((tab) => tab.query === query) : -1;
  if (switched >= 0) {
    saved.activeTabIndex = switched;
  } else {
    if (query !== null && active.query !== query) {
      // The title GraphiQL would give the edited tab: it names a tab after its operation, found the same way.
      const name = /^(?!#).*(query|subscription|mutation)\s+([a-zA-Z0-9_]+)/m.exec(query)?.[2] ?? null;
      Object.assign(active, { query, operationName: name, title: name ?? "<untitled>" });
    }
    if (variables !== null) active.variables = variables;
  }
  const tab = saved.tabs[saved.activeTabIndex]!;
  storage.setItem("graphiql:tabState", JSON.stringify(saved));
  storage.setItem("graphiql:query", tab.query ?? "");
  storage.setItem("graphiql:variables", tab.variables ?? "");
}

interface SavedTab {
  query: string | null;
  variables: string | null;
  title?: string;
  operationName?: string | null;
}

/** The saved tabs, or null when there are none or they are not in the shape GraphiQL writes (it then starts afresh). */
function parse(text: string | null): { activeTabIndex: number; tabs: SavedTab[] } | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as { activeTabIndex?: unknown; tabs?: unknown };
    const { activeTabIndex, tabs } = value;
    if (!Array.isArray(tabs) || tabs.length === 0 || !Number.isInteger(activeTabIndex)) return null;
    if (!tabs.every((tab: SavedTab) => tab && typeof tab === "object" && isText(tab.query) && isText(tab.variables))) return null;
    return { ...value, activeTabIndex: Math.min(Math.max(activeTabIndex as number, 0), tabs.length - 1), tabs: tabs as SavedTab[] };
  } catch {
    return null;
  }
}

const isText = (value: unknown) => value === null || typeof value === "string";

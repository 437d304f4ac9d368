import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export type Route = { page: "list" } | { page: "deployment"; id: string } | { page: "compare"; id: string; from: string; to: string };

/** The page's addresses: / (the list), /ui/deployments/<id>, /ui/deployments/<id>/compare?from=<version>&to=<version>. */
export function parseRoute(location: Location | URL): Route {
  const match = /^\/ui\/deployments\/([^/]+)(\/compare)?\/?$/.exec(location.pathname);
  if (!match) return { page: "list" };
  const id = decodeURIComponent(match[1]!);
  if (!match[2]) return { page: "deployment", id };
  const params = new URLSearchParams(location.search);
  return { page: "compare", id, from: params.get("from") ?? "", to: params.get("to") ?? "" };
}

export const deploymentPath = (id: string) => `/ui/deployments/${encodeURIComponent(id)}`;
export const comparePath = (id: string, from: string, to: string) => `${deploymentPath(id)}/compare?${new URLSearchParams({ from, to })}`;

/** Whether a view was opened from inside the page (a link or back/forward), not by loading it. */
let navigated = false;

export function navigate(path: string): void {
  navigated = true;
  window.history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location));
  useEffect(() => {
    const update = () => {
      navigated = true;
      setRoute(parseRoute(window.location));
    };
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  return route;
}

/** Same-page links: a click changes the route without a reload; a middle or modified click opens a new tab as usual. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute("href")!);
}

/** The tab's title, so history and tabs tell views apart. */
export function useTitle(title: string | null): void {
  useEffect(() => {
    if (title) document.title = `${title} · Waymark`;
  }, [title]);
}

/**
 * A view's heading, focused once it is on screen after an in-page navigation, so that keyboard and
 * screen-reader users land on the new view instead of on the link they followed.
 */
export function useHeadingFocus(ready: boolean): RefObject<HTMLHeadingElement | null> {
  const heading = useRef<HTMLHeadingElement>(null);
  const done = useRef(false);
  useEffect(() => {
    if (!ready || done.current || !heading.current) return;
    done.current = true;
    if (navigated) heading.current.focus();
  }, [ready]);
  return heading;
}

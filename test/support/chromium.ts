/** Debian's Chromium, never a browser a tool downloads. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless as root, and kept from calling home: this machine refuses every outside connection. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

/** Whether a page's request stays on this machine (the browser tests record every other one). */
export const isLoopback = (url: URL) => ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);

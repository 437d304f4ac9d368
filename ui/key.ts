/**
 * The API key lives in memory for the page's life; only when the user ticks "remember" is it kept
 * in sessionStorage, which this tab alone can read and which ends with the browser session. It is
 * never put in localStorage, a cookie or a URL.
 */
const STORAGE_KEY = "waymark:key";

export function rememberedKey(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null, remember: boolean): void {
  try {
    if (key !== null && remember) window.sessionStorage.setItem(STORAGE_KEY, key);
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the key still works for this page's life.
  }
}

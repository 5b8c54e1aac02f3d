// Where the APIs live. In development the Vite server proxies /api and /ws (see vite.config.ts);
// a production build bakes VITE_API_URL / VITE_WS_URL in at build time.

function trimSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

export const apiBaseUrl: string = trimSlash(import.meta.env.VITE_API_URL || "/api");

export function websocketUrl(): string {
  const configured = import.meta.env.VITE_WS_URL;
  if (configured) return trimSlash(configured);
  const protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${protocol}//${window.location.host}/ws`;
}

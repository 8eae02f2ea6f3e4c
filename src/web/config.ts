/**
 * Where the page connects: `/config.json` of the listener that served it (src/server/http/http-front.ts
 * writes it) names every listener's binding and port. The page speaks `jsonrpc` unless the address
 * asks for another binding (`?binding=openclaw`) or the gateway has no jsonrpc listener (then the
 * binding of the listener that served it); on the listener that served it, it connects to its
 * own origin (so it also works behind a reverse proxy), on another one to the same host name.
 */
export interface PageConfig {
  binding: string;
  listeners: Array<{ binding: string; port: number }>;
  maxEntries: number;
}

export interface Target {
  binding: string;
  url: string;
  /** The row cap, when the gateway said. */
  maxEntries: number | undefined;
}

/** Checks what /config.json said; throws naming the field that is wrong. */
export function checkPageConfig(value: unknown): PageConfig {
  const v = value as Partial<PageConfig> | null;
  if (v === null || typeof v !== "object") throw new Error("/config.json: not an object");
  if (typeof v.binding !== "string") throw new Error("/config.json: binding is not a string");
  if (!Array.isArray(v.listeners) || !v.listeners.every((l) => typeof l?.binding === "string" && Number.isInteger(l?.port))) {
    throw new Error("/config.json: listeners is not a list of {binding, port}");
  }
  if (!Number.isInteger(v.maxEntries)) throw new Error("/config.json: maxEntries is not an integer");
  return v as PageConfig;
}

/** The binding and WebSocket URL to use, for a page at `location`. */
export function chooseTarget(config: PageConfig, location: Pick<Location, "protocol" | "host" | "hostname" | "search">): Target {
  // jsonrpc by default; a gateway without a jsonrpc listener (`serve --binding openclaw`): the binding of the one that served the page.
  const fallback = config.listeners.some((l) => l.binding === "jsonrpc") ? "jsonrpc" : config.binding;
  const wanted = new URLSearchParams(location.search).get("binding") ?? fallback;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const listener = config.listeners.find((l) => l.binding === wanted);
  if (!listener) {
    const offered = config.listeners.map((l) => l.binding).join(", ");
    throw new Error(`this gateway has no ${wanted} listener (it offers ${offered || "none"})`);
  }
  const url = wanted === config.binding ? `${scheme}//${location.host}` : `${scheme}//${location.hostname}:${listener.port}`;
  return { binding: wanted, url, maxEntries: config.maxEntries };
}

export async function loadTarget(location: Location = window.location): Promise<Target> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  return chooseTarget(checkPageConfig(await response.json()), location);
}

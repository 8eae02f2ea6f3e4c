/**
 * The gateway's `/healthz` (src/server/http/http-front.ts), read by the page now and then: a gateway of
 * a cluster that cannot reach its Redis answers `{"status":"degraded"}` and serves its own presence
 * locally (docs/cluster.md), so its list lacks the other gateways and what their clients did
 * meanwhile. Nothing in the presence protocol says so; the page reads it here to say it over the table.
 */

/** How often the page asks: an outage shows within this (plus the gateway's own detection, about 1 s). */
export const HEALTH_POLL_MS = 3_000;

/**
 * What a `/healthz` answer says: `degraded` (true, false, or undefined when it does not say: an old
 * gateway, a proxy's page) and whether its store is shared (a cluster; only then can it degrade).
 */
export function healthOf(body: unknown): { degraded?: boolean; shared?: boolean } {
  if (body === null || typeof body !== "object") return {};
  const { status, store } = body as { status?: unknown; store?: { shared?: unknown } };
  const shared = typeof store?.shared === "boolean" ? store.shared : undefined;
  return { degraded: status === "degraded" ? true : status === "ok" ? false : undefined, shared };
}

/**
 * Calls `onChange(degraded)` with the first answer and whenever it changes, asking every `intervalMs`
 * (and no more once the gateway says its store is not shared: a page open across a restart into a
 * cluster needs a reload). A failed request (the gateway is down: the banner says that) changes
 * nothing. Returns the stop function.
 */
export function watchHealth(onChange: (degraded: boolean) => void, intervalMs = HEALTH_POLL_MS): () => void {
  let last: boolean | undefined;
  const ask = async () => {
    try {
      const response = await fetch("/healthz", { cache: "no-store" });
      const { degraded, shared } = response.ok ? healthOf(await response.json()) : {};
      if (shared === false) clearInterval(timer); // one gateway, its own store: never degraded
      if (degraded === undefined || degraded === last) return;
      last = degraded;
      onChange(degraded);
    } catch {
      // Unreachable or not JSON: the connection banner speaks for a gateway that is down.
    }
  };
  const timer = setInterval(() => void ask(), intervalMs);
  void ask();
  return () => clearInterval(timer);
}

/**
 * The reference gateway's `GET /healthz` (docs/cluster.md "Health"), read beside the WebSocket: a
 * gateway of a cluster that cannot reach its Redis answers `{"status":"degraded"}` and lists its own
 * view alone, which nothing in the presence protocol says. Other gateways (OpenClaw) may answer
 * nothing there, 404, or another shape: then there is no health and no finding.
 */
import type { Draft } from "./check.js";
import type { Observation } from "./types.js";

/** Longest wait for /healthz after the listing is done (a server that never answers plain HTTP). */
export const HEALTH_WAIT_MS = 1_000;

/** The http(s) URL of /healthz on the gateway's host and port (no credentials, no query), or undefined. */
export function healthUrl(gatewayUrl: string): string | undefined {
  try {
    const url = new URL(gatewayUrl);
    if (url.protocol !== "ws:" && url.protocol !== "wss:") return undefined;
    return `${url.protocol === "wss:" ? "https:" : "http:"}//${url.host}/healthz`;
  } catch {
    return undefined;
  }
}

/** Starts reading /healthz (bounded by `timeoutMs`); its answer never rejects (undefined when there is no such answer). */
export function readHealth(gatewayUrl: string, timeoutMs: number): { within(ms: number): Promise<Observation["health"]>; abort(): void } {
  const url = healthUrl(gatewayUrl);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const result = (async (): Promise<Observation["health"]> => {
    if (url === undefined || typeof fetch !== "function") return undefined;
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { accept: "application/json" } });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { status?: unknown; store?: { backend?: unknown; shared?: unknown; healthy?: unknown } };
      if (body?.status !== "ok" && body?.status !== "degraded") return undefined;
      const store = body.store;
      return {
        status: body.status,
        ...(store && typeof store === "object"
          ? { store: { backend: String(store.backend), shared: store.shared === true, healthy: store.healthy === true } }
          : {}),
      };
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  })();
  // The answer if it comes within `ms` from now (no timer left behind), else undefined.
  const within = async (ms: number) => {
    let cancel = () => {};
    const late = new Promise<undefined>((resolve) => {
      const wait = setTimeout(resolve, ms);
      cancel = () => clearTimeout(wait);
    });
    try {
      return await Promise.race([result, late]);
    } finally {
      cancel();
    }
  };
  return { within, abort: () => controller.abort() };
}

/** A warning while the gateway's shared store is out of reach: its list is its own view alone. */
export function healthFindings(obs: Observation): Draft[] {
  const health = obs.health;
  if (health?.status !== "degraded" || health.store?.shared !== true) return [];
  return [
    {
      id: "store-degraded",
      rule: "M1",
      severity: "warning",
      subject: "",
      title: "the gateway cannot reach its cluster's store",
      detail:
        `Its /healthz says "degraded": it is one gateway of a cluster (backend ${health.store.backend}) that cannot reach the store the gateways share, ` +
        "so it serves its own presence locally: the list read here lacks the other gateways' self rows and what their clients did since, and may still hold rows they changed.",
      advice: "Gateway: check the cluster's Redis (is it running, reachable, not frozen or overloaded?) and the gateway's log line 'Redis unreachable (...)'. When Redis answers again every gateway writes its presence back by itself (docs/cluster.md).",
      evidence: [],
    },
  ];
}

/**
 * `watch`'s look at the reference gateway's `GET /healthz` (src/doctor/health.ts reads it): a gateway of
 * a cluster that cannot reach its Redis serves its own view of the list, which no presence message says.
 */
import { readHealth } from "../doctor/health.js";

/** Under watch's open state line, and list's warning, while the gateway's /healthz says degraded. */
export const DEGRADED_LINE = "  degraded: this gateway cannot reach its cluster's Redis; the list is what it knows alone";

/** How often watch asks (the Instances page: every 3 s; a terminal is cheaper to keep current). */
export const HEALTH_POLL_MS = 2_000;

/**
 * Calls `onChange(degraded)` whenever the gateway's answer differs from what was known (`known`),
 * asking now and then every `intervalMs`. Once a cluster gateway answered (its store shared), a missed
 * answer (slow, or the gateway went away: watch starts a new poll on each connection) changes nothing
 * and the next ask comes as usual. It stops asking when the gateway says its store is not shared (one
 * gateway: never degraded), or gave no such answer to MAX_MISSES asks in a row before any (another
 * gateway, e.g. OpenClaw); a `known` degraded then no longer holds: `onChange(false)`. Returns the stop
 * function.
 */
export function pollHealth(url: string, known: boolean, onChange: (degraded: boolean) => void, intervalMs = HEALTH_POLL_MS): () => void {
  let degraded = known;
  let stopped = false;
  let cluster = false;
  let misses = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ask = async () => {
    const health = await readHealth(url, intervalMs).within(intervalMs);
    if (stopped) return;
    if (health?.store?.shared === true) {
      cluster = true;
      misses = 0;
      const now = health.status === "degraded";
      if (now !== degraded) onChange((degraded = now));
    } else if (health !== undefined || (!cluster && ++misses >= MAX_MISSES)) {
      if (degraded) onChange((degraded = false)); // nothing to watch here
      return;
    }
    timer = setTimeout(() => void ask(), intervalMs);
  };
  void ask();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Asks without an answer, before any, after which a gateway is taken for one without /healthz. */
export const MAX_MISSES = 3;

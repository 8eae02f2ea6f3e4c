/**
 * Silence on an open connection: a socket can die without a close (a laptop asleep, a network that
 * changed, a NAT that forgot it), and the SDK's watchdog (src/client/watchdog.ts) closes it only after
 * 3 tick intervals without a frame: 45 s with the reference gateway's 15 s ticks, 90 s with OpenClaw's
 * 30 s. Until then the connection reads as open. The page says so sooner: once a tick is late by half
 * an interval and at least QUIET_SLACK_MS, the banner and the caption say so.
 */
import { helloFeature } from "../client/handshake.js";
import type { PresenceClient } from "../client/types.js";

/** Silence (in tick intervals) after which the page says it heard nothing: a tick half an interval late... */
export const QUIET_TICKS = 1.5;
/** ... and at least this late (ms): with ticks a second apart (tests, a gateway under load) a delay of 0.5 s is no sign. */
export const QUIET_SLACK_MS = 5_000;
/** The SDK's watchdog limit in tick intervals (its default, which the page keeps). */
export const WATCHDOG_TICKS = 3;

export class Silence {
  /** When the gateway was last heard from (performance.now(), ms): a tick, a list, the handshake. */
  #heardAt = performance.now();

  heard(): void {
    this.#heardAt = performance.now();
  }

  /**
   * How long (ms) nothing came over `client`'s open connection, when that is past QUIET_TICKS of the
   * gateway's tick interval and a tick plus QUIET_SLACK_MS, with that interval (ms); undefined otherwise, and for a gateway that
   * announces no `tick` event (nothing is due from it when the list does not change).
   */
  quiet(client: PresenceClient | undefined): { silentMs: number; tickMs: number } | undefined {
    const hello = client?.state === "open" ? client.hello : undefined;
    const tickMs = hello?.policy?.tickIntervalMs;
    if (!hello || !helloFeature(hello, "events")?.includes("tick") || typeof tickMs !== "number" || !(tickMs > 0)) return undefined;
    const silentMs = performance.now() - this.#heardAt;
    return silentMs > Math.max(QUIET_TICKS * tickMs, tickMs + QUIET_SLACK_MS) ? { silentMs, tickMs } : undefined;
  }
}

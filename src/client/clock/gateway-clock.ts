/**
 * The gateway's clock, estimated from what it sends. A row's `ts` is the gateway's time of its
 * latest write (SPEC §3, K3), so ages ("last seen 12 s ago") and SPEC C1's statuses must be computed
 * against the gateway's time, not the local clock: a browser or laptop whose clock is 40 s behind
 * shows "last seen -40 s ago" for a fresh row, one 40 s ahead shows every fresh row 40 s old.
 *
 * hello-ok carries no time of the gateway (only `uptimeMs`), but every timestamp it sends was read
 * from its clock before the frame was received: hello-ok's snapshot and every later list (the
 * gateway's own row is fresh in every listing, SPEC P1), `tick` events (`{ts}`, SPEC E3). So
 * `gatewayTs - localNow` at receipt is a lower bound of the offset, short of it by the frame's
 * transit; the estimate is the highest such bound of the last minute (`windowMs`), since the latest
 * hello-ok (a reconnect, maybe to a restarted or another gateway, starts over). The window lets the
 * estimate follow a gateway clock set back, and the drift between the two clocks, within a minute
 * (ticks come every 15 to 30 s, so it always holds a recent reading); with no reading in the window
 * the last estimate stays. Local time is read from a monotonic clock (`performance.now()` where there
 * is one), so a local clock set back or forward meanwhile does not move the estimate.
 */
import type { PresenceEntry } from "../../protocol/presence.js";
import { entryTs, presenceAge, presenceStatus, type PresenceStatus } from "../status.js";

/** Local milliseconds since the epoch from a monotonic source when the platform has one. */
function monotonicNow(): number {
  const perf = (globalThis as { performance?: { now(): number; timeOrigin?: number } }).performance;
  return perf && typeof perf.timeOrigin === "number" ? perf.timeOrigin + perf.now() : Date.now();
}

/** How long a reading counts toward the estimate, in ms. */
export const GATEWAY_CLOCK_WINDOW_MS = 60_000;

export class GatewayClock {
  /** Gateway time minus local monotonic time, in ms; undefined until a sample came. */
  #base: number | undefined;
  /** The readings of the window, oldest first: local time and base. */
  #readings: Array<{ at: number; base: number }> = [];
  /** The newest `ts` any list gave since the latest reset (sampleList). */
  #newestListTs: number | undefined;

  /** `localNow`: local ms since the epoch (default: monotonic, see above); for tests. */
  constructor(
    private readonly localNow: () => number = monotonicNow,
    private readonly windowMs: number = GATEWAY_CLOCK_WINDOW_MS,
  ) {}

  /** Forgets the estimate (the client calls it on every hello-ok, before sampling its snapshot). */
  reset(): void {
    this.#base = undefined;
    this.#readings = [];
    this.#newestListTs = undefined;
  }

  /**
   * A timestamp just received from the gateway (ms since the epoch, its clock): a `tick`'s `ts`, a
   * row's `ts`. Ignored unless a finite number.
   */
  sample(gatewayTs: unknown): void {
    if (typeof gatewayTs !== "number" || !Number.isFinite(gatewayTs)) return;
    const at = this.localNow();
    const readings = this.#readings.filter((r) => at - r.at <= this.windowMs);
    readings.push({ at, base: gatewayTs - at });
    this.#readings = readings.length > 64 ? readings.slice(-64) : readings;
    this.#base = Math.max(...this.#readings.map((r) => r.base));
  }

  /**
   * The newest usable `ts` of a list just received (its rows without a finite `ts` are skipped), when
   * it is newer than every list's before since the latest reset. A `ts` seen before was read from the
   * gateway's clock before it was first received: seen again it tells nothing new, and taking it anew
   * would keep a row written before the gateway's clock was set back (an hour, say) in the window for
   * as long as the row stays listed, so the estimate would follow the set-back clock only after that
   * hour. Lists then read nothing until the gateway writes past that `ts`; ticks go on reading.
   */
  sampleList(entries: ReadonlyArray<{ readonly ts?: unknown }>): void {
    let newest: number | undefined;
    for (const entry of entries) {
      const ts = entryTs(entry);
      if (ts !== undefined && (newest === undefined || ts > newest)) newest = ts;
    }
    if (newest === undefined || (this.#newestListTs !== undefined && newest <= this.#newestListTs)) return;
    this.#newestListTs = newest;
    this.sample(newest);
  }

  /** True once a timestamp of the gateway came (hello-ok's snapshot gives one). */
  get synced(): boolean {
    return this.#base !== undefined;
  }

  /**
   * How far the gateway's clock is ahead of this machine's `Date.now()`, in ms (negative: behind);
   * undefined before the first sample. Accurate to the transit time of the freshest frame (a few ms
   * on a LAN).
   */
  get offsetMs(): number | undefined {
    return this.#base === undefined ? undefined : Math.round(this.now() - Date.now());
  }

  /**
   * The gateway's time now, in whole ms since the epoch on its clock (as `Date.now()` gives: the
   * monotonic local clock has fractions, which would reach ages and `ageMs` in JSON), estimated;
   * `Date.now()` before the first sample.
   */
  now(): number {
    return this.#base === undefined ? Date.now() : Math.floor(this.localNow() + this.#base);
  }

  /**
   * A row's age on the gateway's clock, in ms: `max(0, now - ts)` with `now` the gateway's time
   * (`presenceAge`); NaN when the row has no finite `ts`. "last seen N s ago" is `Math.floor(ageMs(row) / 1000)`.
   */
  ageMs(entry: Pick<PresenceEntry, "ts">): number {
    return presenceAge(entry, this.now());
  }

  /** SPEC C1's status of a row on the gateway's clock (`presenceStatus(entry, clock.now())`). */
  status(entry: Pick<PresenceEntry, "ts">): PresenceStatus {
    return presenceStatus(entry, this.now());
  }
}

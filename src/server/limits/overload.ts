/**
 * Overload shedding: whether the gateway is saturated, from its event-loop delay.
 *
 * Many addresses together can open connections faster than the gateway can hand-shake them, each
 * within its own per-address budget; the handshakes then take every turn of the event loop and the
 * connected clients' requests wait behind them. The delay of the loop is what those clients feel, so
 * it is what is measured: node:perf_hooks monitorEventLoopDelay (the platform's own histogram, as
 * Fastify's under-pressure uses) samples it every SAMPLE_RESOLUTION_MS; at the end of each window
 * (`limits.overload.windowMs`) the median of the window's samples, less the resolution, is the
 * window's delay. Over `maxEventLoopDelayMs` in SHED_AFTER_WINDOWS windows in a row, the gateway is
 * overloaded until a window under it. The median, not the maximum: one long garbage collection or one
 * large list is a single sample and does not shed, a loop that stays busy is most of them. Two windows
 * in a row, not one: a single block longer than a window (a schema compiled at start-up, a large
 * synchronous job of an embedding application) leaves a window of one slow sample; a flood lasts.
 *
 * While overloaded, new sockets get HTTP 503 (unfinished-requests.ts), a socket that completed its
 * upgrade anyway and every frame from a connection that has not completed `connect` get UNAVAILABLE
 * (refuse.ts), all with a retry hint; connected clients are served as before. The delay is the whole
 * process's: an application embedding the gateway adds its own load to it.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from "node:perf_hooks";
import type { Refusal } from "./address-limits.js";
import type { OverloadLimits } from "./options.js";

/** How often the event loop is sampled, ms (monitorEventLoopDelay's `resolution`). */
export const SAMPLE_RESOLUTION_MS = 10;

/** Windows over a limit in a row before the gateway counts as overloaded. */
export const SHED_AFTER_WINDOWS = 2;

export class OverloadMonitor {
  #histogram: IntervalHistogram | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #overloaded = false;
  /** Windows over a limit in a row, up to SHED_AFTER_WINDOWS. */
  #overWindows = 0;
  #delayMs = 0;
  #utilization = 0;
  #elu: EventLoopUtilization | undefined;

  /** `changed` is told each time the gateway becomes overloaded or stops being so (for a log line: describe()). */
  constructor(
    readonly limits: OverloadLimits,
    private readonly changed: (overloaded: boolean) => void = () => {},
  ) {}

  /** Whether new work from clients not yet connected is refused now. */
  get overloaded(): boolean {
    return this.#overloaded;
  }

  /** The median event-loop delay of the last window, ms (0 before the first, or when shedding is off). */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** The share of the last window the event loop was busy (0..1; node:perf_hooks eventLoopUtilization). */
  get utilization(): number {
    return this.#utilization;
  }

  /** Starts measuring (nothing when `limits.overload.enabled` is false). */
  start(): void {
    if (!this.limits.enabled || this.#histogram) return;
    this.#histogram = monitorEventLoopDelay({ resolution: SAMPLE_RESOLUTION_MS });
    this.#histogram.enable();
    this.#elu = performance.eventLoopUtilization();
    this.#timer = setInterval(() => this.#endWindow(), this.limits.windowMs);
    this.#timer.unref();
  }

  /** Stops measuring; the gateway is no longer overloaded. */
  stop(): void {
    clearInterval(this.#timer);
    this.#histogram?.disable();
    this.#histogram = undefined;
    this.#overloaded = false;
    this.#overWindows = 0;
  }

  /** The refusal for new work while overloaded, else undefined. */
  refusal(): Refusal | undefined {
    if (!this.#overloaded) return undefined;
    const message = `gateway overloaded (${this.describe(", over ")}): connected clients are served first`;
    return { reason: "OVERLOADED", message, retryAfterMs: this.limits.retryAfterMs };
  }

  /**
   * The last window in words, against its limits: `event-loop delay 63 ms<sep>50 ms`, the
   * utilization too when that limit is set and was over it (or alone when only it was over).
   */
  describe(sep = " (limit "): string {
    const { maxEventLoopDelayMs, maxEventLoopUtilization } = this.limits;
    const close = sep.startsWith(" (") ? ")" : "";
    const delay = `event-loop delay ${Math.round(this.#delayMs)} ms${sep}${maxEventLoopDelayMs} ms${close}`;
    if (maxEventLoopUtilization >= 1) return delay;
    const utilization = `event-loop utilization ${this.#utilization.toFixed(2)}${sep}${maxEventLoopUtilization}${close}`;
    if (this.#delayMs > maxEventLoopDelayMs) return this.#utilization > maxEventLoopUtilization ? `${delay}, ${utilization}` : delay;
    return this.#utilization > maxEventLoopUtilization ? utilization : `${delay}, ${utilization}`;
  }

  #endWindow(): void {
    const histogram = this.#histogram;
    if (!histogram || histogram.count === 0) return;
    this.#delayMs = Math.max(0, histogram.percentile(50) / 1e6 - SAMPLE_RESOLUTION_MS);
    histogram.reset();
    const elu = performance.eventLoopUtilization();
    this.#utilization = performance.eventLoopUtilization(elu, this.#elu).utilization;
    this.#elu = elu;
    const { maxEventLoopDelayMs, maxEventLoopUtilization } = this.limits;
    const over = this.#delayMs > maxEventLoopDelayMs || (maxEventLoopUtilization < 1 && this.#utilization > maxEventLoopUtilization);
    this.#overWindows = over ? Math.min(SHED_AFTER_WINDOWS, this.#overWindows + 1) : 0;
    const overloaded = this.#overWindows >= SHED_AFTER_WINDOWS;
    if (overloaded === this.#overloaded) return;
    this.#overloaded = overloaded;
    this.changed(overloaded);
  }
}

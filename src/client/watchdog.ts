/**
 * Notices a dead connection: when the gateway announces `tick` events, silence for several tick
 * intervals means the socket is half-open (no close ever arrives, e.g. after a network change).
 */
import type { HelloOk } from "../protocol/hello.js";
import { helloFeature } from "./handshake.js";

export class Watchdog {
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = 0;

  constructor(private readonly onSilent: (silentMs: number) => void) {}

  /** `limitMs`: the option (false = off, undefined = 3 x the gateway's tick interval if it ticks). */
  start(limitMs: number | false | undefined, hello: HelloOk): void {
    this.stop();
    if (limitMs === false) return;
    const tick = hello.policy?.tickIntervalMs;
    const limit = limitMs ?? (helloFeature(hello, "events")?.includes("tick") && typeof tick === "number" && tick > 0 ? 3 * tick : 0);
    if (!(limit > 0)) return;
    this.#last = Date.now();
    this.#timer = setInterval(
      () => {
        const silent = Date.now() - this.#last;
        if (silent > limit) {
          this.stop();
          this.onSilent(silent);
        }
      },
      Math.min(Math.max(limit / 4, 20), 5000),
    );
  }

  /** Something arrived. */
  heard(): void {
    this.#last = Date.now();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

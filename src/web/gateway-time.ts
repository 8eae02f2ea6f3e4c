/**
 * The gateway's clock as seen from the page. Rows carry `ts` on the gateway's clock (SPEC §3), which
 * may differ from the browser's (another machine, or a gateway in test mode whose clock was moved
 * forward): ages and SPEC C1 statuses are computed on the gateway's clock.
 *
 * Every timestamp the gateway sends was read from its clock before it was received, so
 * `gatewayTs - localNow` at receipt is a lower bound of the offset; the estimate is the highest such
 * bound since the last hello-ok (a new connection, maybe to a restarted gateway, starts over).
 * Samples: `tick` events (SPEC E3), and the newest `ts` of each list (the self row's `ts` is fresh in
 * every listing, SPEC P1).
 */
import { entryTs } from "../client/status.js";
export class GatewayTime {
  #offset: number | undefined;

  constructor(private readonly localNow: () => number = Date.now) {}

  /** A new connection: forget what the previous one taught. */
  reset(): void {
    this.#offset = undefined;
  }

  /** A timestamp (ms since epoch, gateway clock) just received. */
  sample(gatewayTs: number): void {
    if (!Number.isFinite(gatewayTs)) return;
    const offset = gatewayTs - this.localNow();
    if (this.#offset === undefined || offset > this.#offset) this.#offset = offset;
  }

  /**
   * How far (ms) this timestamp would move the estimate forward, without taking it; 0 when it would
   * not (or when there is no estimate yet). A jump means the gateway's clock was moved (test mode).
   */
  jumpOf(gatewayTs: number): number {
    if (this.#offset === undefined || !Number.isFinite(gatewayTs)) return 0;
    return Math.max(0, gatewayTs - this.localNow() - this.#offset);
  }

  /** The newest `ts` of a list (a lower bound of the gateway's time when it was sent). */
  sampleList(entries: ReadonlyArray<{ ts: number }>): void {
    let newest = -Infinity;
    for (const entry of entries) newest = Math.max(newest, entryTs(entry) ?? -Infinity);
    if (newest > -Infinity) this.sample(newest);
  }

  /** The estimated offset in ms (gateway minus local); 0 until a sample came. */
  get offsetMs(): number {
    return this.#offset ?? 0;
  }

  /** The gateway's time now, estimated. */
  now(): number {
    return this.localNow() + this.offsetMs;
  }
}

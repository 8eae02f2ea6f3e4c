/**
 * The gateway's clock as seen from the page: the SDK's estimate (client/clock/gateway-clock.ts: the
 * highest `gatewayTs - localNow` bound of the last minute since the latest hello-ok, from `tick`
 * events and the newest `ts` of each list), plus what the page needs to see a clock moved forward in
 * test mode (`test.clock.advance`) before it takes it. Rows carry `ts` on the gateway's clock (SPEC
 * §3), which may differ from the browser's: ages and SPEC C1 statuses are computed on this clock.
 */
import { GatewayClock } from "../client/clock/gateway-clock.js";

export class GatewayTime extends GatewayClock {
  /**
   * How far (ms) this timestamp would move the estimate forward, without taking it; 0 when it would
   * not (or when there is no estimate yet). A jump means the gateway's clock was moved (test mode).
   */
  jumpOf(gatewayTs: number): number {
    if (!this.synced || !Number.isFinite(gatewayTs)) return 0;
    return Math.max(0, gatewayTs - this.now());
  }
}

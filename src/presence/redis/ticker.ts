/**
 * Every gateway's periodic tick (lua/tick.ts): its heartbeat, the clean-up of gateways without one,
 * expiry, the cluster's test clock offset, and two checks: is this gateway still registered (Redis
 * may have lost its data, or the others declared it dead), and did a change message get lost.
 */
import { isAdjustableClock, type PresenceChange } from "../types.js";
import type { ScriptReply } from "./backend.js";
import type { ResolvedRedisOptions } from "./options.js";
import type { Outage } from "./outage.js";

export interface TickerHooks {
  /** Ticks only run while the store serves from Redis. */
  healthy(): boolean;
  tick(args: readonly (string | number)[]): Promise<ScriptReply>;
  deliver(changes: PresenceChange[]): void;
  /** This gateway is not registered in Redis: write everything back. */
  rejoin(): void;
  lost(error: unknown): void;
}

/** Starts ticking every min(sweepIntervalMs, deadAfterMs / 5); returns the function that stops it. */
export function startTicker(opts: ResolvedRedisOptions, outage: Outage, hooks: TickerHooks): () => void {
  const { clock, gatewayId } = opts;
  let unseenVersion: number | undefined;
  let idTaken = false;
  let ticking = false;
  /** A tick of this process was answered: its next ones may move heartbeats on after a gap (lua/tick.ts). */
  let answered = false;

  async function tick(): Promise<void> {
    if (!hooks.healthy()) return;
    try {
      const reply = await hooks.tick([opts.deadAfterMs, opts.sweepIntervalMs > 0 ? "1" : "0", opts.token, answered ? "1" : "0"]);
      answered = true;
      const result = reply.result as unknown[];
      const [registered, offset, version, taken] = result.slice(0, 4).map(Number);
      if (taken && !idTaken) opts.log(`error presence store: another running gateway uses the id ${gatewayId}: give each gateway its own --gateway-id`);
      logRemoved(result[4]);
      idTaken = taken === 1;
      if (isAdjustableClock(clock)) clock.syncOffset(offset!);
      if (!registered && outage.hasSelf()) return hooks.rejoin();
      // A change made elsewhere a whole tick ago that never arrived on the channel (lost, not in flight).
      // Changes made before this store's first tick are not missed ones: they are in its first list.
      if (unseenVersion === undefined) outage.version = Math.max(outage.version, version!);
      else if (unseenVersion > outage.version) hooks.deliver([outage.resyncChange(unseenVersion)]);
      unseenVersion = version;
    } catch (error) {
      hooks.lost(error);
    }
  }

  /** One line per dead gateway, written by the one survivor whose tick removed it (the script runs once). */
  function logRemoved(removed: unknown): void {
    if (!Array.isArray(removed)) return;
    for (let i = 0; i + 1 < removed.length; i += 2) {
      const keys = Number(removed[i + 1]);
      opts.log(
        `warning presence store: gateway ${String(removed[i])} sent no heartbeat for ${opts.deadAfterMs} ms: gateway ${gatewayId} removed its self row` +
          ` and closed its connections (${keys} row${keys === 1 ? "" : "s"}; a row no other gateway holds open is now a disconnect row)`,
      );
    }
  }

  const period = opts.sweepIntervalMs > 0 ? Math.min(opts.sweepIntervalMs, opts.heartbeatMs) : opts.heartbeatMs;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void tick().finally(() => (ticking = false));
  }, period);
  timer.unref?.();
  return () => clearInterval(timer);
}

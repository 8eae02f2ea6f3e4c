/**
 * Presence beacons (`system-event`): `launch` when started (or, when started before the connection
 * is open, when it opens), `connect` after each later (re)connect, `periodic` on an interval, all
 * carrying the client's instanceId so they update its own row (SPEC K2).
 */
import { checkTimerMs } from "../protocol/durations.js";
import type { SystemEventParams } from "../protocol/presence.js";
import type { Listener } from "./emitter.js";

export interface BeaconOptions {
  /** Interval of `periodic` beacons, in ms: > 0, at most 2147483647 (a timer's longest wait; more throws RangeError). Default 180000 (3 min, under the 5 min TTL). */
  intervalMs?: number;
  /** Seconds since the user's last input, read at each beacon. */
  lastInputSeconds?: () => number;
  /** Reported host name (default: the gateway uses client.displayName or client.id). */
  host?: string;
  /** Reported ip; it wins over the connection's address (SPEC P5). */
  ip?: string;
  /** Free text sent with each beacon. */
  text?: string;
  /**
   * A beacon failed (e.g. RATE_LIMITED, or FORBIDDEN from a gateway that wants more scope); beacons go
   * on. Default (client.startBeacons): the client's `error` event gets the error.
   */
  onError?: (error: Error, reason: string) => void;
}

export interface BeaconHandle {
  stop(): void;
  /** Sends one beacon now with the given reason (awaitable, e.g. before exiting). */
  send(reason: string): Promise<void>;
}

/** What beacons need of a client (kept narrow so this module does not depend on the client). */
export interface BeaconHost {
  readonly instanceId: string;
  readonly state: string;
  systemEvent(params: SystemEventParams): Promise<unknown>;
  on(event: "state", listener: Listener<{ state: string; reconnected?: boolean }>): () => void;
}

export function startBeacons(host: BeaconHost, options: BeaconOptions = {}): BeaconHandle {
  const intervalMs = options.intervalMs ?? 180_000;
  if (!(intervalMs > 0)) throw new RangeError(`startBeacons: intervalMs must be > 0, got ${intervalMs}`);
  checkTimerMs("startBeacons: intervalMs", intervalMs);
  let stopped = false;

  const params = (reason: string): SystemEventParams => {
    const p: SystemEventParams = { instanceId: host.instanceId, reason };
    if (options.host !== undefined) p.host = options.host;
    if (options.ip !== undefined) p.ip = options.ip;
    if (options.text !== undefined) p.text = options.text;
    const idle = options.lastInputSeconds?.();
    if (idle !== undefined && Number.isFinite(idle)) p.lastInputSeconds = Math.max(0, Math.floor(idle));
    return p;
  };
  const send = async (reason: string): Promise<void> => {
    await host.systemEvent(params(reason));
  };
  const fire = (reason: string) => {
    if (stopped) return;
    send(reason).catch((error: Error) => {
      if (!stopped) options.onError?.(error, reason);
    });
  };

  // Started before the connection is open (the usual order: startBeacons, then connect): the launch
  // beacon waits for the open, and that open sends no `connect` beacon as well (one beacon, not two).
  let launched = host.state === "open";
  if (launched) fire("launch");
  const offState = host.on("state", ({ state }) => {
    if (state !== "open") return;
    fire(launched ? "connect" : "launch");
    launched = true;
  });
  const timer = setInterval(() => {
    // A periodic beacon while disconnected would only queue; the connect beacon covers the gap.
    if (host.state === "open") fire("periodic");
  }, intervalMs);

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      offState();
    },
    send,
  };
}

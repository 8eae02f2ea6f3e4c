/** `system-event` beacons (SPEC M2, K2, K3, P5, B2). */
import type { SystemEventParams, SystemEventResult } from "../../protocol/presence.js";
import type { Connection } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { GatewayError } from "./errors.js";
import type { MaybePromise } from "./maybe-promise.js";
import { RawJson } from "./fanout/raw-json.js";

/** Checked before the params: a flood is refused cheaply (SPEC B2). */
export function takeBeaconToken(gw: GatewayContext, conn: Connection): void {
  const taken = conn.bucket.take();
  if (taken.ok) return;
  gw.metrics.rateLimited++;
  throw new GatewayError("RATE_LIMITED", `system-event: rate limited, retry in ${taken.retryAfterMs} ms`, {
    retryAfterMs: taken.retryAfterMs,
    method: "system-event",
  });
}

/** `{"ok":true}`, serialized once (raw-json.ts): the answer to every beacon. */
const OK = new RawJson(JSON.stringify({ ok: true } satisfies SystemEventResult)) as unknown as SystemEventResult;

export function createSystemEventHandler(gw: GatewayContext) {
  const { store } = gw;
  return function systemEvent(params: SystemEventParams, conn: Connection): MaybePromise<SystemEventResult> {
    if (gw.options.faults.beaconTextRequired && !params.text?.trim()) {
      throw new GatewayError("INVALID_PARAMS", "text required", { errors: [{ path: "/text", message: "is required", keyword: "required" }], method: "system-event" });
    }
    // K2: the row of params.instanceId, else the sender's own row; never a row keyed by text or host.
    let key = params.instanceId !== undefined ? gw.keyFor(params.instanceId, conn.id) : conn.key;
    if (gw.options.faults.beaconRowsByText && params.instanceId === undefined && params.text) key = `text:${params.text}`;
    // An untracked sender without instanceId, or a beacon claiming an ephemeral mode (P3): nothing to record.
    if (key === undefined || (params.mode !== undefined && gw.isEphemeral(params.mode))) return OK;
    // An ip here is a reported one: the store keeps it over connection addresses (SPEC P5). The
    // store keeps only row fields (cleanFields): `tags` are accepted but not stored.
    if (store.sync) {
      store.sync.upsert(key, params);
      return OK;
    }
    return store.upsert(key, params).then(() => OK);
  };
}

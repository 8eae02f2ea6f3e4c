/**
 * The page as a presence client (the SDK, src/client, running in the browser): it shows up in the
 * list as mode `webchat` with a stable instanceId (localStorage), and its beacons report how long the
 * visitor has not touched the page (`lastInputSeconds`).
 */
import { createPresenceClient } from "../client/client.js";
import { loadInstanceId, localStorageInstanceIdStore, memoryInstanceIdStore } from "../client/identity.js";
import type { PresenceClient } from "../client/types.js";
import type { ClientBinding } from "../transport/binding.js";

/** The package version, set by the build (scripts/web/build.ts). */
declare const __PAGE_VERSION__: string;

export const PAGE_CLIENT_ID = "gateway-presence-instances";
/** The page's longest wait between two connection attempts (the SDK's default is 30 s). */
export const PAGE_RECONNECT_MAX_DELAY_MS = 5_000;
const INSTANCE_ID_KEY = "gateway-presence.instances.instanceId";
const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"];

/** The page's instanceId: one per browser profile and origin, so a reload merges into its old row (SPEC K1). */
export async function pageInstanceId(): Promise<string> {
  try {
    return await loadInstanceId(localStorageInstanceIdStore(INSTANCE_ID_KEY));
  } catch {
    return loadInstanceId(memoryInstanceIdStore()); // no localStorage: a fresh row per load
  }
}

/** Seconds since the visitor's last keyboard, pointer or touch input on the page. */
export function trackLastInput(target: EventTarget = window, now: () => number = Date.now): () => number {
  let last = now();
  const mark = () => {
    last = now();
  };
  for (const type of INPUT_EVENTS) target.addEventListener(type, mark, { passive: true, capture: true });
  return () => (now() - last) / 1000;
}

export interface PageClientOptions {
  url: string;
  binding: ClientBinding | "jsonrpc";
  instanceId: string;
  token: string | undefined;
}

export function createPageClient(options: PageClientOptions): PresenceClient {
  const nav = navigator as Navigator & { userAgentData?: { platform?: string } };
  return createPresenceClient({
    url: options.url,
    binding: options.binding,
    instanceId: options.instanceId,
    token: options.token,
    client: {
      id: PAGE_CLIENT_ID,
      displayName: "Instances page",
      version: __PAGE_VERSION__,
      platform: (nav.userAgentData?.platform || nav.platform || "web").slice(0, 256),
      mode: "webchat",
    },
    userAgent: nav.userAgent.slice(0, 256),
    // Whole lists, not the delta stream: keep-alives refresh rows without a push, and only
    // `system-presence` (what the mirror's resync calls without deltas) lists them fresh, while a
    // delta reader's resync (`presence.resync`) gets the latest pushed round again. The page re-reads
    // the list for exactly those refreshes (src/web/app.ts), so it takes whole lists (<= 200 rows).
    presenceDelta: false,
    // Someone is looking at the page: after a gateway restart it should be live again within a few
    // seconds, not after the SDK's default longest delay (30 s: an outage of a minute left the page
    // waiting 21-30 s after the gateway was back). One page per viewer is no load to a gateway.
    reconnect: { maxDelayMs: PAGE_RECONNECT_MAX_DELAY_MS },
  });
}

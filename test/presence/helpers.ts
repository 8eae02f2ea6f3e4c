import { createMemoryPresenceStore, manualClock, type PresenceChange, type PresenceStoreOptions } from "../../src/presence/index.js";

/** A store on a manual clock with the sweep timer off, plus every change it reports. */
export function makeStore(options: PresenceStoreOptions = {}, start = 1_000_000) {
  const clock = manualClock(start);
  const store = createMemoryPresenceStore({ clock, sweepIntervalMs: 0, ...options });
  const changes: PresenceChange[] = [];
  store.onChange((change) => changes.push(change));
  return { clock, store, changes };
}

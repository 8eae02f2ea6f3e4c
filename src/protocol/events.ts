import type { PresenceEntry, StateVersion } from "./presence.js";

/** Payload of the pushed `presence` event (SPEC E1). */
export interface PresenceEvent {
  /** @maxItems 200 */
  presence: PresenceEntry[];
  stateVersion: StateVersion;
}

/** Payload of the `tick` event (SPEC E3). */
export interface TickEvent {
  /**
   * @TJS-type integer
   * @minimum 0
   */
  ts: number;
}

import type { NonEmptyString } from "./connect.js";

/**
 * The descriptive fields shared by a presence row and a `system-event` beacon (SPEC §3, M2).
 */
export interface PresenceDescriptor {
  /**
   * @minLength 1
   * @maxLength 128
   * @pattern \S
   */
  instanceId?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  host?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  ip?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  version?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  platform?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  deviceFamily?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  modelIdentifier?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  mode?: string;
  /**
   * Seconds since the user's last input, when known.
   * @TJS-type integer
   * @minimum 0
   * @maximum 9007199254740991
   */
  lastInputSeconds?: number;
  /**
   * `self`, `connect`, `node-connected`, `periodic`, `launch`, `disconnect`, ...
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  reason?: string;
  /** @maxItems 32 */
  roles?: NonEmptyString[];
  /** @maxItems 32 */
  scopes?: NonEmptyString[];
  /**
   * @minLength 1
   * @maxLength 1024
   * @pattern \S
   */
  text?: string;
}

/**
 * One row of the presence list (SPEC §3). Closed: unknown fields are rejected.
 * @additionalProperties false
 */
export interface PresenceEntry extends PresenceDescriptor {
  /**
   * Time of the latest write, in ms since the epoch, on the gateway's clock.
   * @TJS-type integer
   * @minimum 0
   */
  ts: number;
}

/** The presence revision counter (SPEC E1): it only grows. */
export interface StateVersion {
  /**
   * @TJS-type integer
   * @minimum 0
   */
  presence: number;
}

/**
 * Result of `system-presence` (SPEC M1): newest `ts` first, self included.
 * @maxItems 200
 */
export type SystemPresenceResult = PresenceEntry[];

/**
 * Params of `system-presence`: none, or an empty object.
 * @additionalProperties false
 */
export interface SystemPresenceParams {}

/**
 * Params of `system-event` (SPEC M2, B3). Closed: unknown fields are invalid params.
 * @additionalProperties false
 */
export interface SystemEventParams extends PresenceDescriptor {
  /** @maxItems 32 */
  tags?: NonEmptyString[];
}

/** Result of `system-event`. */
export interface SystemEventResult {
  ok: true;
}

/**
 * The fields a `PresenceEntry` may hold (SPEC §3), at run time: any other field is beyond the contract
 * (SPEC §11 W2). The type below fails to compile when the interface gains a field this list lacks.
 */
export const PRESENCE_ENTRY_FIELDS = [
  "instanceId",
  "host",
  "ip",
  "version",
  "platform",
  "deviceFamily",
  "modelIdentifier",
  "mode",
  "lastInputSeconds",
  "reason",
  "roles",
  "scopes",
  "text",
  "ts",
] as const satisfies ReadonlyArray<keyof PresenceEntry>;

// Compile-time check that PRESENCE_ENTRY_FIELDS names every field of PresenceEntry.
const _complete: Exclude<keyof PresenceEntry, (typeof PRESENCE_ENTRY_FIELDS)[number]> extends never ? true : never = true;
void _complete;

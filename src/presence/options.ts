import { checkTimerMs } from "../protocol/durations.js";
import { systemClock } from "./clock.js";
import { DEFAULT_EPHEMERAL_MODES } from "./ephemeral.js";
import type { Clock, PresenceStoreOptions } from "./types.js";

export const DEFAULT_TTL_MS = 300_000;
export const DEFAULT_MAX_ENTRIES = 200;
/** The sweep runs at most this often by default; expiry also runs on every read and write. */
export const DEFAULT_MAX_SWEEP_INTERVAL_MS = 1_000;

export interface ResolvedStoreOptions {
  clock: Clock;
  ttlMs: number;
  maxEntries: number;
  ephemeralModes: readonly string[];
  sweepIntervalMs: number;
  onListenerError: (error: unknown) => void;
}

/** Checks the options and fills in the defaults; throws a clear TypeError/RangeError on bad ones. */
export function resolveStoreOptions(options: PresenceStoreOptions = {}): ResolvedStoreOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`presence store: options must be an object, got ${describe(options)}`);
  }
  const clock = options.clock ?? systemClock;
  if (clock === null || typeof clock !== "object" || typeof clock.now !== "function") {
    throw new TypeError(`presence store: clock must be an object with a now() method, got ${describe(clock)}`);
  }
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`presence store: ttlMs must be a finite number > 0, got ${describe(ttlMs)}`);
  }
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (typeof maxEntries !== "number" || !Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`presence store: maxEntries must be an integer >= 1, got ${describe(maxEntries)}`);
  }
  const ephemeralModes = options.ephemeralModes ?? DEFAULT_EPHEMERAL_MODES;
  if (!Array.isArray(ephemeralModes) || ephemeralModes.some((m) => typeof m !== "string" || !m.trim())) {
    throw new TypeError(`presence store: ephemeralModes must be an array of non-empty strings, got ${describe(ephemeralModes)}`);
  }
  const sweepIntervalMs = options.sweepIntervalMs ?? Math.min(DEFAULT_MAX_SWEEP_INTERVAL_MS, Math.max(10, Math.ceil(ttlMs)));
  if (typeof sweepIntervalMs !== "number" || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
    throw new RangeError(`presence store: sweepIntervalMs must be a finite number >= 0 (0 = no timer), got ${describe(sweepIntervalMs)}`);
  }
  checkTimerMs("presence store: sweepIntervalMs", sweepIntervalMs);
  const onListenerError = options.onListenerError ?? defaultListenerError;
  if (typeof onListenerError !== "function") {
    throw new TypeError(`presence store: onListenerError must be a function, got ${describe(onListenerError)}`);
  }
  return { clock, ttlMs, maxEntries, ephemeralModes: [...ephemeralModes], sweepIntervalMs, onListenerError };
}

function defaultListenerError(error: unknown): void {
  console.error("presence store: a change listener threw", error);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

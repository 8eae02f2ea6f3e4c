/**
 * Field-by-field merge of SPEC K3: present fields overwrite, absent/undefined ones keep the stored
 * value, `roles`/`scopes` are unions, `ts` is the caller's clock. Unknown fields (e.g. a beacon's
 * `tags`, or `ts`) are not copied into a row.
 */
import type { PresenceEntry } from "../protocol/presence.js";
import type { PresenceFields } from "./types.js";

/** Most items kept in `roles` / `scopes` (SPEC B3). */
export const MAX_LIST_ITEMS = 32;

/** Bad fields handed to the store: names the field and what was wrong. Nothing is written. */
export class PresenceInputError extends TypeError {
  constructor(message: string) {
    super(`presence store: ${message}`);
    this.name = "PresenceInputError";
  }
}

/**
 * Checks `fields` and returns only the known, present ones (instanceId trimmed), in a fixed order.
 * Throws PresenceInputError. (Each field is named in the code, not looked up in a loop: this runs
 * on every write, and named property access is several times faster than keyed access.)
 */
export function cleanFields(fields: unknown): PresenceFields {
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    throw new PresenceInputError("fields must be an object");
  }
  const input = fields as Record<string, unknown>;
  const out: PresenceFields = {};
  if (input.instanceId !== undefined) out.instanceId = text("instanceId", input.instanceId).trim();
  if (input.host !== undefined) out.host = text("host", input.host);
  if (input.ip !== undefined) out.ip = text("ip", input.ip);
  if (input.version !== undefined) out.version = text("version", input.version);
  if (input.platform !== undefined) out.platform = text("platform", input.platform);
  if (input.deviceFamily !== undefined) out.deviceFamily = text("deviceFamily", input.deviceFamily);
  if (input.modelIdentifier !== undefined) out.modelIdentifier = text("modelIdentifier", input.modelIdentifier);
  if (input.mode !== undefined) out.mode = text("mode", input.mode);
  if (input.reason !== undefined) out.reason = text("reason", input.reason);
  if (input.text !== undefined) out.text = text("text", input.text);
  const seconds = input.lastInputSeconds;
  if (seconds !== undefined) {
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) {
      throw new PresenceInputError(`lastInputSeconds must be an integer >= 0, got ${show(seconds)}`);
    }
    out.lastInputSeconds = seconds;
  }
  if (input.roles !== undefined) out.roles = list("roles", input.roles);
  if (input.scopes !== undefined) out.scopes = list("scopes", input.scopes);
  return out;
}

function text(name: string, value: unknown): string {
  if (typeof value !== "string" || !value.trim()) throw new PresenceInputError(`${name} must be a non-empty string, got ${show(value)}`);
  return value;
}

function list(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new PresenceInputError(`${name} must be an array of strings, got ${show(value)}`);
  value.forEach((item, i) => {
    if (typeof item !== "string" || !item.trim()) {
      throw new PresenceInputError(`${name}[${i}] must be a non-empty string, got ${show(item)}`);
    }
  });
  const unique = dedupe(value as string[]);
  return unique.length > MAX_LIST_ITEMS ? unique.slice(-MAX_LIST_ITEMS) : unique;
}

/**
 * The row after writing `update` (already cleaned) over `stored` at time `ts`. Returns a new object
 * with its fields in one fixed order (the order of cleanFields, `ts` last), whatever order `stored`
 * had: rows with the same fields then share one shape, so reading and copying them is fast (issue 11).
 */
export function mergeEntry(stored: PresenceEntry | undefined, update: PresenceFields, ts: number): PresenceEntry {
  const next = {} as PresenceEntry;
  const instanceId = update.instanceId ?? stored?.instanceId;
  if (instanceId !== undefined) next.instanceId = instanceId;
  const host = update.host ?? stored?.host;
  if (host !== undefined) next.host = host;
  const ip = update.ip ?? stored?.ip;
  if (ip !== undefined) next.ip = ip;
  const version = update.version ?? stored?.version;
  if (version !== undefined) next.version = version;
  const platform = update.platform ?? stored?.platform;
  if (platform !== undefined) next.platform = platform;
  const deviceFamily = update.deviceFamily ?? stored?.deviceFamily;
  if (deviceFamily !== undefined) next.deviceFamily = deviceFamily;
  const modelIdentifier = update.modelIdentifier ?? stored?.modelIdentifier;
  if (modelIdentifier !== undefined) next.modelIdentifier = modelIdentifier;
  const mode = update.mode ?? stored?.mode;
  if (mode !== undefined) next.mode = mode;
  const reason = update.reason ?? stored?.reason;
  if (reason !== undefined) next.reason = reason;
  const text = update.text ?? stored?.text;
  if (text !== undefined) next.text = text;
  const lastInputSeconds = update.lastInputSeconds ?? stored?.lastInputSeconds;
  if (lastInputSeconds !== undefined) next.lastInputSeconds = lastInputSeconds;
  const roles = mergedList(stored?.roles, update.roles);
  if (roles !== undefined) next.roles = roles;
  const scopes = mergedList(stored?.scopes, update.scopes);
  if (scopes !== undefined) next.scopes = scopes;
  next.ts = ts;
  return next;
}

function mergedList(kept: readonly string[] | undefined, incoming: readonly string[] | undefined): string[] | undefined {
  if (incoming !== undefined) return unionList(kept ?? [], incoming);
  return kept === undefined ? undefined : [...kept];
}

/**
 * Union keeping first-seen order. Over MAX_LIST_ITEMS, the oldest stored items that the update does
 * not name are dropped first, so the most recent items stay.
 */
export function unionList(stored: readonly string[], incoming: readonly string[]): string[] {
  const merged = dedupe([...stored, ...incoming]);
  let excess = merged.length - MAX_LIST_ITEMS;
  if (excess <= 0) return merged;
  const wanted = new Set(incoming.slice(-MAX_LIST_ITEMS));
  const out: string[] = [];
  for (const item of merged) {
    if (excess > 0 && !wanted.has(item)) {
      excess--;
      continue;
    }
    out.push(item);
  }
  return out.slice(-MAX_LIST_ITEMS);
}

/** A deep-enough copy of a row, so callers cannot change the store's state. */
export function copyEntry(entry: PresenceEntry): PresenceEntry {
  const copy: PresenceEntry = { ...entry };
  if (entry.roles) copy.roles = [...entry.roles];
  if (entry.scopes) copy.scopes = [...entry.scopes];
  return copy;
}

/** The items without repeats, first-seen order (lists are short: a scan beats a Set below a few dozen). */
function dedupe(items: readonly string[]): string[] {
  if (items.length > 32) return [...new Set(items)];
  const out: string[] = [];
  for (const item of items) if (!out.includes(item)) out.push(item);
  return out;
}

function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return typeof value === "object" ? "an object" : String(value);
}

/** SPEC K1, defensively: keys are trimmed and lower-cased here too (presenceKey() already does it). */
export function normaliseKey(key: string): string {
  if (typeof key !== "string") throw new PresenceInputError(`key must be a string, got ${typeof key}`);
  const k = key.trim().toLowerCase();
  if (!k) throw new PresenceInputError("key must not be empty");
  return k;
}

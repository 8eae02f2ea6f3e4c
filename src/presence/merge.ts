/**
 * Field-by-field merge of SPEC K3: present fields overwrite, absent/undefined ones keep the stored
 * value, `roles`/`scopes` are unions, `ts` is the caller's clock. Unknown fields (e.g. a beacon's
 * `tags`, or `ts`) are not copied into a row.
 */
import type { PresenceEntry } from "../protocol/presence.js";
import type { PresenceFields } from "./types.js";

/** Most items kept in `roles` / `scopes` (SPEC B3). */
export const MAX_LIST_ITEMS = 32;

const STRING_FIELDS = [
  "instanceId",
  "host",
  "ip",
  "version",
  "platform",
  "deviceFamily",
  "modelIdentifier",
  "mode",
  "reason",
  "text",
] as const;
const LIST_FIELDS = ["roles", "scopes"] as const;

type StringField = (typeof STRING_FIELDS)[number];
type ListField = (typeof LIST_FIELDS)[number];

/** Bad fields handed to the store: names the field and what was wrong. Nothing is written. */
export class PresenceInputError extends TypeError {
  constructor(message: string) {
    super(`presence store: ${message}`);
    this.name = "PresenceInputError";
  }
}

/** Checks `fields` and returns only the known, present ones (instanceId trimmed). Throws PresenceInputError. */
export function cleanFields(fields: unknown): PresenceFields {
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    throw new PresenceInputError("fields must be an object");
  }
  const input = fields as Record<string, unknown>;
  const out: PresenceFields = {};
  for (const name of STRING_FIELDS) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== "string" || !value.trim()) {
      throw new PresenceInputError(`${name} must be a non-empty string, got ${show(value)}`);
    }
    out[name] = name === "instanceId" ? value.trim() : value;
  }
  const seconds = input.lastInputSeconds;
  if (seconds !== undefined) {
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) {
      throw new PresenceInputError(`lastInputSeconds must be an integer >= 0, got ${show(seconds)}`);
    }
    out.lastInputSeconds = seconds;
  }
  for (const name of LIST_FIELDS) {
    const value = input[name];
    if (value === undefined) continue;
    if (!Array.isArray(value)) throw new PresenceInputError(`${name} must be an array of strings, got ${show(value)}`);
    value.forEach((item, i) => {
      if (typeof item !== "string" || !item.trim()) {
        throw new PresenceInputError(`${name}[${i}] must be a non-empty string, got ${show(item)}`);
      }
    });
    out[name] = dedupe(value as string[]).slice(-MAX_LIST_ITEMS);
  }
  return out;
}

/** The row after writing `update` (already cleaned) over `stored` at time `ts`. Returns a new object. */
export function mergeEntry(stored: PresenceEntry | undefined, update: PresenceFields, ts: number): PresenceEntry {
  const next = { ...stored } as PresenceEntry;
  for (const name of STRING_FIELDS) {
    const value = update[name as StringField];
    if (value !== undefined) next[name] = value;
  }
  if (update.lastInputSeconds !== undefined) next.lastInputSeconds = update.lastInputSeconds;
  for (const name of LIST_FIELDS) {
    const incoming = update[name as ListField];
    const kept = stored?.[name];
    if (incoming !== undefined) next[name] = unionList(kept ?? [], incoming);
    else if (kept !== undefined) next[name] = [...kept];
  }
  next.ts = ts;
  return next;
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

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)];
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

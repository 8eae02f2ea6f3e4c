/**
 * Rows between TypeScript and the Lua scripts: a row is a Redis hash of strings (field -> value), so
 * `lastInputSeconds` and `ts` travel as decimal strings and `roles` / `scopes` as JSON arrays.
 */
import type { PresenceEntry } from "../../protocol/presence.js";
import { mergeEntry } from "../merge.js";
import { SELF_KEY, type PresenceChange, type PresenceChangeKind, type PresenceFields } from "../types.js";

const STRING_FIELDS = new Set(["instanceId", "host", "ip", "version", "platform", "deviceFamily", "modelIdentifier", "mode", "reason", "text"]);
const LIST_FIELDS = new Set(["roles", "scopes"]);
const KINDS = new Set<PresenceChangeKind>(["upsert", "disconnect", "expire", "evict"]);

/** Field pairs (name, value, ...) of already-checked fields (cleanFields), in a stable order. */
export function toPairs(fields: PresenceFields): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (LIST_FIELDS.has(name)) out.push(name, JSON.stringify(value));
    else if (name === "lastInputSeconds") out.push(name, String(value));
    else if (STRING_FIELDS.has(name)) out.push(name, value as string);
  }
  return out;
}

/** A row from a flat `[name, value, ...]` reply (or cjson's `{}` for an empty one). Unknown names are skipped. */
export function fromFlat(flat: unknown): PresenceEntry {
  const entry: Record<string, unknown> = {};
  const list = Array.isArray(flat) ? (flat as unknown[]) : [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = String(list[i]);
    const value = String(list[i + 1]);
    if (STRING_FIELDS.has(name)) entry[name] = value;
    else if (name === "ts" || name === "lastInputSeconds") entry[name] = Number(value);
    else if (LIST_FIELDS.has(name)) entry[name] = parseList(value);
  }
  if (typeof entry.ts !== "number") entry.ts = 0;
  return entry as unknown as PresenceEntry;
}

/** A row reply, or undefined for nil (no such row). */
export function rowOrUndefined(flat: unknown): PresenceEntry | undefined {
  return flat ? fromFlat(flat) : undefined;
}

/** The row a write script returns; when there was no room at all (nil), the row it would have been (S2). */
export function writtenRow(reply: { result: unknown; now: number }, clean: PresenceFields): PresenceEntry {
  return reply.result ? fromFlat(reply.result) : mergeEntry(undefined, clean, reply.now);
}

/** The fields of a row without `ts`, as pairs (for writing a row back). */
export function entryPairs(entry: PresenceEntry): string[] {
  const { ts: _ts, ...fields } = entry;
  return toPairs(fields);
}

function parseList(value: string): string[] {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}

/** The key a self row has in change notifications: SELF_KEY for this gateway's own, `@Self:<id>` for the others'. */
export function selfChangeKey(key: string, gatewayId: string): string {
  return key === `${SELF_KEY}:${gatewayId}` ? SELF_KEY : key;
}

export interface ChangeMessage {
  /** The gateway whose script made the changes. */
  gatewayId: string;
  changes: PresenceChange[];
  /** A test clock offset (from test.clock.advance on that gateway). */
  clockOffset?: number;
  /** Rows' ts were refreshed without a change (P7 keep-alive, or expiry finding a row still open). */
  refreshed?: true;
}

/** Parses a changes message (a script's reply or a pub/sub message); undefined if it is not one. */
export function parseChangeMessage(json: string, ownGatewayId: string): ChangeMessage | undefined {
  if (!json) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== "object") return undefined;
  const { g, c, o, r } = data as { g?: unknown; c?: unknown; o?: unknown; r?: unknown };
  if (typeof g !== "string") return undefined;
  const changes: PresenceChange[] = [];
  for (const item of Array.isArray(c) ? (c as unknown[]) : []) {
    if (!Array.isArray(item) || item.length < 4) continue;
    const [kind, key, version, flat] = item as [unknown, unknown, unknown, unknown];
    if (!KINDS.has(kind as PresenceChangeKind) || typeof key !== "string" || typeof version !== "number") continue;
    changes.push({ kind: kind as PresenceChangeKind, key: selfChangeKey(key, ownGatewayId), entry: fromFlat(flat), version });
  }
  const offset = typeof o === "string" ? Number(o) : undefined;
  return {
    gatewayId: g,
    changes,
    ...(offset !== undefined && Number.isSafeInteger(offset) ? { clockOffset: offset } : {}),
    ...(r === 1 ? { refreshed: true as const } : {}),
  };
}

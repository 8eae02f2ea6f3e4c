/** Small questions about presence rows that several checks ask. */
import { fieldText } from "../client/status.js";
import type { PresenceEntry } from "../protocol/presence.js";

/** The gateway's own row (SPEC P1). */
export function isSelfRow(row: PresenceEntry): boolean {
  return row.reason === "self" && row.mode === "gateway";
}

/** Trimmed and lower-cased, or "" when absent: how the doctor compares names (a wrongly typed value as its JSON text). */
export function folded(value: unknown): string {
  return fieldText(value)?.trim().toLowerCase() ?? "";
}

/** How a row is named in titles: its host, else its instanceId, else its text, else "a row". */
export function rowName(row: PresenceEntry): string {
  const name = fieldText(row.host ?? row.instanceId ?? row.text);
  return name === undefined ? "a row" : JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
}

/** "1 row" / "3 rows". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** "42 s", "6 min 40 s", "2 h 5 min", "3 d 4 h": ages and offsets in the report. */
export function formatMs(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  const [m, h, d] = [Math.floor(s / 60), Math.floor(s / 3600), Math.floor(s / 86400)];
  if (s < 3600) return `${sign}${m} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 86400) return `${sign}${h} h${m % 60 ? ` ${m % 60} min` : ""}`;
  return `${sign}${d} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

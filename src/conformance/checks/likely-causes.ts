/**
 * Likely causes of a failed check, said once beside its message: what an implementer most probably
 * got wrong when a check fails in a way that points past the rule the check is about. Each cause is
 * read from evidence (rows the scenario saw, the gateway's own clock), never guessed from the rule:
 *
 * - TTL: a row older than SPEC S1's 5 minutes on the gateway's clock (`test.clock.advance`'s `now`)
 *   is still listed (a longer TTL), or a row seen before is gone while younger than that (a shorter one).
 * - `ts` in seconds: a row's `ts` that is a plausible epoch in seconds, not ms (SPEC §3).
 * - A full list: a row the check wants is missing from a listing at the 200-row cap (SPEC S2: evicted?).
 * - Error paths rooted at the request (`/params/x`) where `data.errors` paths lie inside params (`/x`).
 */
import type { Row as ListedRow } from "./list-checks.js";

/** A row with a numeric `ts` (the only rows these causes read). */
type Row = ListedRow & { ts: number; instanceId?: unknown; reason?: unknown };

/** SPEC S1's TTL and S2's cap, the defaults a default run checks. */
export const SPEC_TTL_MS = 5 * 60_000;
const SPEC_CAP = 200;
/** Below this a `ts` is not ms since the epoch of any plausible clock (1973-03-03 in ms) but is one in seconds. */
const SECONDS_BELOW = 1e11;
const SECONDS_ABOVE = 1e9;

/** What a scenario knows of the gateway's clock. */
export interface ClockEvidence {
  /** The gateway's `now` from the scenario's latest `test.clock.advance` answer (undefined: it advanced none). */
  now?: number;
  /** The ms this scenario advanced the clock by, in total. */
  advancedMs: number;
  /** The wire log place (`seq`) of the latest advance's answer. */
  advancedSeq?: number;
  /** The TTL the gateway says it has (`hello-ok.policy.presenceTtlMs`), when it says one. */
  advertisedTtlMs?: number;
}

/**
 * A row as the scenario last saw it (in any answer or event), by lower-cased instanceId: `seq` is the
 * place in the scenario's wire log of the last frame that held it, `goneSeq` of a later frame that
 * said it was gone (a whole list without it, or a delta's `removed`).
 */
export type SeenRows = ReadonlyMap<string, { instanceId: string; ts: number; seq: number; goneSeq?: number }>;

/** Adds what one received value (a listing, a push, a hello-ok) shows to `seen`. */
export function noteSeen(seen: Map<string, { instanceId: string; ts: number; seq: number; goneSeq?: number }>, value: unknown, seq: number): void {
  const { rows, whole } = rowsIn(value);
  const held = new Set<string>();
  for (const row of rows) {
    if (typeof row.instanceId !== "string") continue;
    const id = row.instanceId.trim().toLowerCase();
    held.add(id);
    seen.set(id, { instanceId: row.instanceId, ts: row.ts, seq });
  }
  const removed = (value as { removed?: unknown } | null)?.removed;
  const gone = whole ? [...seen.keys()].filter((id) => !held.has(id)) : Array.isArray(removed) ? removed.filter((k): k is string => typeof k === "string").map((k) => k.toLowerCase()) : [];
  for (const id of gone) {
    const last = seen.get(id);
    if (last && last.goneSeq === undefined) last.goneSeq = seq;
  }
}

/** What SeenRowsFold reads: a connection's received frames, in the order they came. */
export interface ReceivedSource<T> {
  readonly received: readonly T[];
}

/**
 * SeenRows kept up to date as frames come: each frame of each source is folded (noteSeen) once,
 * however many checks fail and ask. The wire log numbers frames as they arrive and a connection
 * appends them at once, so every frame that came after one call has a later `seq` than every frame
 * folded before it: folding only the new frames, in `seq` order, gives what a fold of all frames
 * from the start gives (context.ts used to refold every frame for each failed check).
 */
export class SeenRowsFold<T> {
  readonly #rows = new Map<string, { instanceId: string; ts: number; seq: number; goneSeq?: number }>();
  readonly #read = new Map<ReceivedSource<T>, number>();
  /** Frames folded so far, each once. */
  folded = 0;

  /** `read`: a frame's value (a listing, a push, a hello-ok; undefined for others) and its wire-log `seq`. */
  constructor(readonly read: (frame: T) => { value: unknown; seq: number }) {}

  /** Folds the frames the sources received since the last call; returns the rows as last seen. */
  update(sources: Iterable<ReceivedSource<T>>): SeenRows {
    const fresh: { value: unknown; seq: number }[] = [];
    for (const source of sources) {
      const from = this.#read.get(source) ?? 0;
      for (let i = from; i < source.received.length; i++) fresh.push(this.read(source.received[i]!));
      this.#read.set(source, source.received.length);
    }
    fresh.sort((a, b) => a.seq - b.seq);
    for (const { value, seq } of fresh) noteSeen(this.#rows, value, seq);
    this.folded += fresh.length;
    return this.#rows;
  }
}

/** Mismatch words of a check that wants a row gone (notContains, `$notContains`, a delta's `removed`), or there. */
const WANTS_GONE = /a row matches|expected no item matching|\/removed/;
const WANTS_THERE = /no row matches|no item matches/;

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * The rows a value holds: a listing, a `presence` event, a hello-ok's snapshot (`whole`: the whole
 * list, so a row not in it is gone), or a delta's `changed` (only what changed).
 */
export function rowsIn(value: unknown): { rows: Row[]; whole: boolean } {
  const only = (list: unknown[]) => list.filter((r): r is Row => r !== null && typeof r === "object" && typeof (r as Row).ts === "number");
  if (Array.isArray(value)) return { rows: only(value), whole: true };
  if (value === null || typeof value !== "object") return { rows: [], whole: false };
  const v = value as { presence?: unknown; changed?: unknown; snapshot?: { presence?: unknown } };
  if (Array.isArray(v.changed)) return { rows: only(v.changed.map((c: { entry?: unknown } | null) => c?.entry)), whole: false };
  if (Array.isArray(v.presence)) return { rows: only(v.presence), whole: true };
  if (v.snapshot && Array.isArray(v.snapshot.presence)) return { rows: only(v.snapshot.presence), whole: true };
  return { rows: [], whole: false };
}

/** The instanceIds the message quotes (`"instanceId":"x"` of a matcher, or `"x"` of a delta key), among those seen. */
function quoted(message: string, ids: Iterable<string>): string[] {
  const lower = message.toLowerCase();
  return [...ids].filter((id) => lower.includes(`"${id}"`));
}

function ttlWords(clock: ClockEvidence): string {
  const said = clock.advertisedTtlMs !== undefined && clock.advertisedTtlMs !== SPEC_TTL_MS ? `; the gateway says its TTL is ${clock.advertisedTtlMs} ms (hello-ok.policy.presenceTtlMs)` : "";
  return `a gateway whose TTL is set to another value (SPEC S3) fails the TTL checks of a default run, which check the default: run it with its default TTL of 5 minutes (${SPEC_TTL_MS} ms)${said}`;
}

function ttlCause(message: string, actual: { rows: Row[]; whole: boolean }, seen: SeenRows, clock: ClockEvidence, blamed: string): string | undefined {
  const now = clock.now;
  if (now === undefined) return undefined;
  const ids = quoted(message, seen.keys());
  const listed = new Map(actual.rows.filter((r) => typeof r.instanceId === "string").map((r) => [(r.instanceId as string).trim().toLowerCase(), r]));
  for (const id of ids) {
    const row = listed.get(id) ?? (actual.whole ? null : undefined);
    const last = seen.get(id)!;
    if (row === null) {
      // A whole list without the row: gone. Too soon when it was younger than the TTL, was seen before
      // the clock moved, and no earlier failed check of the scenario already said it was missing.
      const age = now - last.ts;
      const seenBefore = clock.advancedSeq !== undefined && last.seq < clock.advancedSeq && (last.goneSeq === undefined || last.goneSeq > clock.advancedSeq);
      if (seenBefore && age >= 0 && age < SPEC_TTL_MS && WANTS_THERE.test(message) && !quoted(blamed, [id]).length) {
        return `the gateway removes rows sooner than SPEC S1's 5 minutes? The row of instanceId "${last.instanceId}" had ts ${last.ts} and is gone when ${seconds(age)} old on the gateway's clock (test.clock.advance answered now ${now}); ${ttlWords(clock)}`;
      }
      continue;
    }
    // Not in the value (a delta's changed): only a row the scenario never saw go counts as kept.
    if (row === undefined && last.goneSeq !== undefined) continue;
    const ts = row?.ts ?? last.ts;
    const age = now - ts;
    // Only where the check wants the row gone: a row still there whose check wants it refreshed is P7's business.
    if (row?.reason === "self" || age <= SPEC_TTL_MS || !WANTS_GONE.test(message)) continue;
    const where = row ? "and is still listed" : "and the gateway has not said it is gone";
    return `the gateway keeps rows longer than SPEC S1's 5 minutes? The row of instanceId "${last.instanceId}" has ts ${ts}, ${seconds(age)} old on the gateway's clock (test.clock.advance answered now ${now}), ${where}; ${ttlWords(clock)}`;
  }
  return undefined;
}

function secondsCause(message: string, actualRows: readonly Row[]): string | undefined {
  if (!/\bts\b/.test(message)) return undefined;
  const row = actualRows.find((r) => r.ts >= SECONDS_ABOVE && r.ts < SECONDS_BELOW);
  if (!row) return undefined;
  return `ts ${row.ts} is in seconds? SPEC §3: a row's ts is ms since the epoch (${row.ts * 1000} ms would be that second)`;
}

function fullListCause(message: string, actual: unknown, actualRows: readonly Row[]): string | undefined {
  if (!Array.isArray(actual) || actual.length !== SPEC_CAP || actualRows.length !== SPEC_CAP) return undefined;
  // Only rows the listing lacks altogether (not a row that is there but differs).
  const listed = new Set(actualRows.map((r) => (typeof r.instanceId === "string" ? r.instanceId.trim().toLowerCase() : "")));
  const missing = [...message.matchAll(/no row matches \{"instanceId":"([^"]+)"/g)].map((m) => m[1]!).find((id) => !listed.has(id.trim().toLowerCase()));
  if (missing === undefined) return undefined;
  return `the list is full (${SPEC_CAP} rows, SPEC S2) and has no row of instanceId "${missing}": evicted? A new key evicts the row with the oldest ts, never the row just written`;
}

function paramsPathCause(message: string, actual: unknown): string | undefined {
  const errors = (actual as { error?: { data?: { errors?: unknown } } } | null)?.error?.data?.errors;
  if (!Array.isArray(errors) || !message.includes('{"path":"')) return undefined;
  const rooted = errors.map((e: { path?: unknown } | null) => e?.path).find((p): p is string => typeof p === "string" && p.startsWith("/params/") && message.includes(`{"path":"${p.slice("/params".length)}"`));
  if (!rooted) return undefined;
  return `the paths start at the request ("${rooted}"): each path of data.errors is a JSON Pointer inside params ("${rooted.slice("/params".length)}"; schemas/ErrorData.schema.json)`;
}

/** A listing that holds a non-self row older than SPEC S1's 5 minutes on the gateway's clock. */
function staleRowCause(rows: readonly Row[], clock: ClockEvidence): string | undefined {
  const now = clock.now;
  if (now === undefined) return undefined;
  // A ts in seconds is not old: it is secondsCause's.
  const stale = rows.filter((r) => r.reason !== "self" && r.ts >= SECONDS_BELOW && now - r.ts > SPEC_TTL_MS).sort((a, b) => a.ts - b.ts)[0];
  if (!stale) return undefined;
  const name = typeof stale.instanceId === "string" ? `the row of instanceId "${stale.instanceId}"` : "a row";
  return `the gateway keeps rows longer than SPEC S1's 5 minutes? The listing holds ${name} with ts ${stale.ts}, ${seconds(now - stale.ts)} old on the gateway's clock (test.clock.advance answered now ${now}), which the scenario's advance past 5 minutes should have removed; ${ttlWords(clock)}`;
}

/**
 * The likely causes of a premise (a list step's `assume`) that did not hold in `rows`: a TTL that
 * kept rows the scenario counted on being gone, or `ts` in seconds (rows that tie).
 */
export function premiseCauses(message: string, rows: unknown, clock: ClockEvidence): string[] {
  const held = rowsIn(rows).rows;
  return [staleRowCause(held, clock), secondsCause(message, held)].filter((c): c is string => c !== undefined);
}

/**
 * The likely causes of a failed check whose mismatches read `message` and whose actual value was
 * `actual`, given the rows the scenario saw, the gateway's clock and the messages of the scenario's
 * earlier failed checks (`blamed`); each a sentence, none when nothing points anywhere.
 */
export function likelyCauses(message: string, actual: unknown, seen: SeenRows, clock: ClockEvidence, blamed = ""): string[] {
  const held = rowsIn(actual);
  return [ttlCause(message, held, seen, clock, blamed), secondsCause(message, held.rows), fullListCause(message, actual, held.rows), paramsPathCause(message, actual)].filter(
    (c): c is string => c !== undefined,
  );
}

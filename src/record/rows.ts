/**
 * Normalising recorded presence rows and params for fixtures: the scenario's own instanceIds get
 * the prefix `${run}-<tag>-` (the run, and a tag of the fixture, since a run replays many), rows are reduced to the contract's fields (no `ts`), and rows that
 * belong to nobody in the scenario (other clients, ids the gateway made up) are left out.
 *
 * A replay's instanceIds are new, so its gateway holds none of their rows before the scenario makes
 * them. What a recording shows of a row before that (a client that keeps its instanceId, listed by an
 * earlier run of it: the SDK's advice) is state from before the recording, and so is a beacon-only
 * field merged into its row (SPEC K3) before a beacon of the recording sent it: neither is expected.
 */
import { redactValue } from "../transport/redact.js";
import type { RequestExchange } from "./exchanges.js";

/** PresenceEntry fields a recorded row is compared on (SPEC §3 without `ts`). */
const ROW_FIELDS = ["instanceId", "host", "ip", "version", "platform", "deviceFamily", "modelIdentifier", "mode", "lastInputSeconds", "reason", "roles", "scopes", "text"] as const;

/** A short stable tag of a fixture name (FNV-1a, 6 hex digits): keeps instanceIds short. */
export function fixtureTag(name: string): string {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0").slice(0, 6);
}

type Row = Record<string, unknown>;

/**
 * Row fields only a beacon (`system-event`) sets, as a field or (OpenClaw) read from its text:
 * `connect` has no field for them.
 */
const BEACON_ONLY_FIELDS = new Set(["lastInputSeconds"]);

const keyOf = (instanceId: string) => instanceId.trim().toLowerCase();

export class RowNormaliser {
  readonly #ids = new Set<string>();
  readonly #texts = new Set<string>();
  /** Own keys the recording has made a row for so far (an accepted connect or beacon), in recorded order. */
  readonly #madeKeys = new Set<string>();
  /** Own keys an accepted beacon of the recording has written to so far. */
  readonly #beaconed = new Set<string>();
  readonly #prefix: string;
  /** Rows of this fixture in this run: their instanceId starts with the prefix (any letter case). */
  readonly ownRows: Row;

  constructor(tag: string) {
    this.#prefix = `\${run}-${tag}-`;
    this.ownRows = { instanceId: { $regex: `^${this.#prefix}`, $flags: "i" } };
  }

  /** Learns the instanceIds and beacon texts a request introduces. */
  collect(e: RequestExchange): void {
    const p = e.params as Record<string, any> | undefined;
    if (!p || typeof p !== "object") return;
    if (e.method === "connect" && typeof p.client?.instanceId === "string") this.#ids.add(p.client.instanceId.trim().toLowerCase());
    if (e.method === "system-event") {
      if (typeof p.instanceId === "string") this.#ids.add(p.instanceId.trim().toLowerCase());
      if (typeof p.text === "string") this.#texts.add(p.text);
    }
  }

  /**
   * Notes, in recorded order and before the expectations of its answer are built, what a request
   * wrote: the key of an accepted connect or beacon has a row from then on, and after a beacon its
   * beacon-only fields are the recording's own.
   */
  wrote(e: RequestExchange): void {
    const p = e.params as Record<string, any> | undefined;
    if (!p || typeof p !== "object" || (e.answer !== undefined && "error" in e.answer)) return;
    const id = e.method === "connect" ? p.client?.instanceId : e.method === "system-event" ? p.instanceId : undefined;
    if (typeof id !== "string" || !this.isOwn(id)) return;
    this.#madeKeys.add(keyOf(id));
    if (e.method === "system-event") this.#beaconed.add(keyOf(id));
  }

  /** An own row the recording has made (not one its gateway held before the recording). */
  #madeHere(instanceId: unknown): boolean {
    return this.isOwn(instanceId) && this.#madeKeys.has(keyOf(instanceId as string));
  }

  isOwn(instanceId: unknown): boolean {
    return typeof instanceId === "string" && this.#ids.has(instanceId.trim().toLowerCase());
  }

  instanceId(original: string): string {
    return this.isOwn(original) ? `${this.#prefix}${original}` : original;
  }

  /** Request params with own instanceIds prefixed and secrets redacted. */
  params(params: unknown): unknown {
    const copy = redactValue(params);
    if (copy && typeof copy === "object" && !Array.isArray(copy)) {
      const p = copy as Row;
      if (typeof p.instanceId === "string") p.instanceId = this.instanceId(p.instanceId);
    }
    return copy;
  }

  /** A matcher for one recorded row: self by its role, own rows by their contract fields; others: undefined. */
  row(row: unknown): Row | undefined {
    const r = row as Row | null;
    if (r === null || typeof r !== "object") return undefined;
    if (r.reason === "self") return { reason: "self", mode: r.mode };
    if (!this.#madeHere(r.instanceId)) return undefined;
    const beaconed = this.#beaconed.has(keyOf(r.instanceId as string));
    const out: Row = {};
    for (const field of ROW_FIELDS) {
      const value = r[field];
      if (value === undefined) continue;
      if (field === "text" && !this.#texts.has(value as string)) continue; // gateway-made texts differ by gateway
      if (BEACON_ONLY_FIELDS.has(field) && !beaconed) continue; // merged in from before the recording
      out[field] = field === "instanceId" ? this.instanceId(value as string) : redactValue(value);
    }
    return out;
  }

  #rows(list: unknown[]): Row[] {
    return list.map((r) => this.row(r)).filter((r): r is Row => r !== undefined);
  }

  #ownCount(list: unknown[]): number {
    return list.filter((r) => this.#madeHere((r as Row | null)?.instanceId)).length;
  }

  /** A `list` step's expectations from a recorded system-presence answer. */
  listExpectation(result: unknown[]): { contains: Row[]; where: Row; count: number } {
    return { contains: this.#rows(result), where: this.ownRows, count: this.#ownCount(result) };
  }

  /** A presence push: its list contains the recorded own rows (and self). */
  pushMatcher(payload: unknown): Row {
    const list = (payload as { presence?: unknown } | null)?.presence;
    if (!Array.isArray(list)) return {};
    const rows = this.#rows(list);
    return { presence: rows.length > 0 ? { $contains: rows } : { $type: "array" } };
  }

  helloMatcher(result: unknown): Row {
    const list = (result as { snapshot?: { presence?: unknown } } | null)?.snapshot?.presence;
    if (!Array.isArray(list)) return { type: "hello-ok" };
    const rows = this.#rows(list);
    return { type: "hello-ok", snapshot: { presence: rows.length > 0 ? { $contains: rows } : list.length === 0 ? { $len: 0 } : { $type: "array" } } };
  }

  /** Any other answer: literal, except timestamps and generated ids, matched by type. */
  resultMatcher(_method: string | null, result: unknown, key = ""): unknown {
    if (Array.isArray(result)) return result.map((r) => this.resultMatcher(_method, r));
    if (result !== null && typeof result === "object") {
      return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, this.resultMatcher(_method, v, k)]));
    }
    if (typeof result === "number" && /^(ts|now)$|Ms$|At$/.test(key)) return { $type: "number" };
    if (typeof result === "string" && /^(id|connId|nonce)$/.test(key)) return { $type: "string" };
    return redactValue(result);
  }
}

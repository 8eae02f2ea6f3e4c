/**
 * A recording as a list of exchanges, whatever its binding: requests with their answers, presence
 * pushes and closes, per connection, in recorded order. The fixture converter works on these.
 */
import { applyDelta, isDelta, keyedSnapshot } from "../client/delta.js";
import type { KeyedPresenceEntry } from "../protocol/delta.js";
import type { PresenceEntry } from "../protocol/presence.js";
import type { BindingName, ClientBinding } from "../transport/binding.js";
import { FrameDecodeError, type InboundFrame, type WireError } from "../transport/frames.js";
import { jsonRpcBinding } from "../transport/jsonrpc.js";
import { openClawBinding } from "../transport/openclaw.js";
import type { RecordingLine } from "./recording.js";

export interface RequestExchange {
  kind: "request";
  conn: string;
  /** null for a frame that is not a request (sent raw). */
  method: string | null;
  params?: unknown;
  /** The text of a raw (not JSON, or not a request) frame. */
  raw?: string;
  answer?: { result: unknown } | { error: WireError };
  /** Set when the gateway closed the connection right after answering (or ignoring) this request. */
  closedWith?: number;
}

export interface PushExchange {
  kind: "push";
  conn: string;
  event: string;
  payload: unknown;
}

export interface CloseExchange {
  kind: "close";
  conn: string;
  code: number;
  by: "client" | "gateway";
}

export type Exchange = RequestExchange | PushExchange | CloseExchange;

/** openclaw when frames have `type` req/res/event, jsonrpc when they carry `"jsonrpc": "2.0"`. */
export function detectBinding(lines: readonly RecordingLine[]): BindingName {
  for (const line of lines) {
    const f = line.frame as Record<string, unknown> | undefined;
    if (!f || typeof f !== "object") continue;
    if (f.type === "req" || f.type === "res" || f.type === "event") return "openclaw";
    if (f.jsonrpc === "2.0" || (Array.isArray(f) && (f[0] as { jsonrpc?: unknown })?.jsonrpc === "2.0")) return "jsonrpc";
  }
  throw new Error("cannot tell the binding: no openclaw (type req/res/event) or JSON-RPC frame in the recording");
}

function sentRequest(frame: unknown, binding: BindingName): { id: unknown; method: string; params?: unknown } | undefined {
  const f = frame as Record<string, unknown> | null;
  if (f === null || typeof f !== "object" || Array.isArray(f) || typeof f.method !== "string") return undefined;
  if (binding === "openclaw" ? f.type !== "req" : f.jsonrpc !== "2.0") return undefined;
  return { id: f.id, method: f.method, ...(f.params !== undefined ? { params: f.params } : {}) };
}

function decodeReceived(binding: ClientBinding, line: RecordingLine): InboundFrame[] {
  try {
    return binding.decode(line.frame !== undefined ? JSON.stringify(line.frame) : (line.text ?? ""));
  } catch (error) {
    if (error instanceof FrameDecodeError) return [];
    throw error;
  }
}

/** Per connection with the `presence.delta` cap: its keyed list, from hello-ok and each delta. */
class DeltaLists {
  readonly #lists = new Map<string, KeyedPresenceEntry[]>();

  start(conn: string, hello: unknown): void {
    const snapshot = (hello as { snapshot?: { presence?: unknown; presenceKeys?: unknown } } | null)?.snapshot;
    const keyed = Array.isArray(snapshot?.presence) ? keyedSnapshot(snapshot.presence, snapshot.presenceKeys) : undefined;
    if (keyed) this.#lists.set(conn, keyed);
  }

  /** The list after `payload`, or undefined when the connection has no delta stream or it does not apply. */
  apply(conn: string, payload: unknown): PresenceEntry[] | undefined {
    const rows = this.#lists.get(conn);
    if (!rows || !isDelta(payload)) return undefined;
    const next = applyDelta(rows, payload);
    this.#lists.set(conn, next);
    return next.map((row) => row.entry);
  }
}

/** Pairs requests with answers (by id, per connection); ignores notes and events other than presence (a delta stream counts). */
export function toExchanges(lines: readonly RecordingLine[]): { binding: BindingName; exchanges: Exchange[] } {
  const bindingName = detectBinding(lines);
  const binding = bindingName === "openclaw" ? openClawBinding : jsonRpcBinding;
  const exchanges: Exchange[] = [];
  const byId = new Map<string, RequestExchange>();
  /** Per connection: the last request, for answers without id and for closes that follow it. */
  const last = new Map<string, RequestExchange>();
  const deltas = new DeltaLists();
  for (const line of lines) {
    if (line.dir === "send") {
      const request = line.frame === undefined ? undefined : sentRequest(line.frame, bindingName);
      const exchange: RequestExchange = request
        ? { kind: "request", conn: line.conn, method: request.method, ...("params" in request ? { params: request.params } : {}) }
        : { kind: "request", conn: line.conn, method: null, raw: line.frame !== undefined ? JSON.stringify(line.frame) : (line.text ?? "") };
      if (request && request.id !== undefined && request.id !== null) byId.set(`${line.conn}|${String(request.id)}`, exchange);
      last.set(line.conn, exchange);
      exchanges.push(exchange);
    } else if (line.dir === "recv") {
      for (const frame of decodeReceived(binding, line)) {
        if (frame.kind === "event") {
          if (frame.event === "presence") exchanges.push({ kind: "push", conn: line.conn, event: frame.event, payload: frame.payload });
          // A delta stream becomes the whole lists it built, so a fixture expects lists either way.
          const list = frame.event === "presence.delta" ? deltas.apply(line.conn, frame.payload) : undefined;
          if (list) exchanges.push({ kind: "push", conn: line.conn, event: "presence", payload: { presence: list } });
          continue;
        }
        const target = frame.id === null ? last.get(line.conn) : byId.get(`${line.conn}|${String(frame.id)}`);
        if (target && !target.answer) target.answer = frame.kind === "result" ? { result: frame.result } : { error: frame.error };
        if (target?.method === "connect" && frame.kind === "result") deltas.start(line.conn, frame.result);
      }
    } else if (line.dir === "meta" && line.event === "close") {
      const code = typeof line.code === "number" ? line.code : 1005;
      // Shared recordings do not say who closed: a normal close (1000) was the client's.
      const by = line.by ?? (code === 1000 ? "client" : "gateway");
      const previous = last.get(line.conn);
      if (by === "gateway" && previous && previous.closedWith === undefined) previous.closedWith = code;
      else exchanges.push({ kind: "close", conn: line.conn, code, by });
    }
  }
  return { binding: bindingName, exchanges };
}

/**
 * What the bench clients put on the wire and how they read it back cheaply. The clients classify a
 * frame from its first bytes (a push, or the answer to an id) so they never parse the lists the
 * gateway sends: the load generator must not be the bottleneck.
 */

export interface ConnectOptions {
  instanceId?: string;
  mode?: string;
  caps?: string[];
  scopes?: string[];
}

export function connectFrame(id: number, options: ConnectOptions = {}): string {
  const client: Record<string, string> = { id: "bench", version: "1.0.0", platform: process.platform, mode: options.mode ?? "ui" };
  if (options.instanceId !== undefined) client.instanceId = options.instanceId;
  const params: Record<string, unknown> = { minProtocol: 1, maxProtocol: 1, client };
  if (options.caps) params.caps = options.caps;
  if (options.scopes) params.scopes = options.scopes;
  return JSON.stringify({ jsonrpc: "2.0", id, method: "connect", params });
}

export function requestFrame(id: number, method: string, params?: unknown): string {
  return JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
}

/** A beacon that writes a realistic row (~250 bytes as the gateway lists it). */
export function beaconFrame(id: number, fields: { instanceId?: string; text: string; lastInputSeconds?: number }): string {
  return requestFrame(id, "system-event", {
    ...fields,
    host: `bench-host-${fields.instanceId ?? "self"}`,
    ip: "10.0.0.9",
    version: "1.0.0",
    platform: "linux",
    mode: "backend",
    roles: ["operator"],
  });
}

const RESPONSE_PREFIX = Buffer.from('{"jsonrpc":"2.0","id":');
const PUSH_PREFIX = Buffer.from('{"jsonrpc":"2.0","method":');
const ERROR_AFTER_ID = Buffer.from(',"error"');

export type Classified = { kind: "push" } | { kind: "response"; id: number; error: boolean } | { kind: "other" };

/** Reads the kind of a frame and a response's id from its first bytes; parses only odd frames. */
export function classify(data: Buffer): Classified {
  if (startsWith(data, PUSH_PREFIX)) return { kind: "push" };
  if (startsWith(data, RESPONSE_PREFIX)) {
    let i = RESPONSE_PREFIX.length;
    let id = 0;
    let digits = 0;
    for (; i < data.length && data[i] >= 48 && data[i] <= 57; i++, digits++) id = id * 10 + (data[i] - 48);
    if (digits > 0) return { kind: "response", id, error: data.subarray(i, i + ERROR_AFTER_ID.length).equals(ERROR_AFTER_ID) };
  }
  try {
    const frame = JSON.parse(data.toString("utf8")) as { id?: unknown; method?: unknown; error?: unknown };
    if (typeof frame.method === "string" && frame.id === undefined) return { kind: "push" };
    if (typeof frame.id === "number") return { kind: "response", id: frame.id, error: frame.error !== undefined };
  } catch {
    // not JSON: counted as other
  }
  return { kind: "other" };
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** Echo server convention: a text frame that starts with this is sent to every open client. */
export const BROADCAST_PREFIX = '{"broadcast":';

const PROBE = Buffer.from("probe:");

/**
 * Probe marks (`probe:<n>:<monotonic ns>:`) in a frame, as [n, sentAtMs] pairs. Watchers search the
 * raw bytes, so a 50 KB list costs a few indexOf calls, not a parse.
 */
export function probesIn(data: Buffer): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (let at = data.indexOf(PROBE); at >= 0; at = data.indexOf(PROBE, at + 1)) {
    const parts = data.subarray(at + PROBE.length, at + PROBE.length + 48).toString("latin1").split(":");
    const n = Number(parts[0]);
    const ns = Number(parts[1]);
    if (Number.isInteger(n) && Number.isFinite(ns)) found.push([n, ns / 1e6]);
  }
  return found;
}

export function probeText(n: number): string {
  return `probe:${n}:${process.hrtime.bigint()}:`;
}
